import { Injectable } from '@nestjs/common';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { ConflictError, NotFoundError, ValidationError } from '../../../common/errors/domain-error';
import { uniqueViolation } from '../../../database/postgres-errors';
import { AgentsRepository } from '../../agent/agents/agents.repository';
import type { CreatePhoneNumberDto, UpdatePhoneNumberDto } from './dto/phone-number.dto';
import type { PhoneNumber } from './phone-number.entity';
import { PhoneNumbersRepository } from './phone-numbers.repository';

const notFound = () => new NotFoundError('Phone number not found', 'PHONE_NUMBER_NOT_FOUND');

@Injectable()
export class PhoneNumbersService {
  constructor(
    private readonly numbers: PhoneNumbersRepository,
    private readonly agents: AgentsRepository,
  ) {}

  list(actor: TenantPrincipal): Promise<PhoneNumber[]> {
    return this.numbers.list(actor.organizationId);
  }

  async get(actor: TenantPrincipal, id: string): Promise<PhoneNumber> {
    return (await this.numbers.findById(actor.organizationId, id)) ?? Promise.reject(notFound());
  }

  async create(actor: TenantPrincipal, input: CreatePhoneNumberDto): Promise<PhoneNumber> {
    await this.assertAgent(actor, input.agentId);
    try {
      return await this.numbers.create(actor.organizationId, {
        e164: input.e164,
        provider: input.provider ?? 'twilio',
        agentId: input.agentId ?? null,
        enabled: input.enabled ?? true,
      });
    } catch (error) {
      if (uniqueViolation(error)) {
        throw new ConflictError('This phone number is already registered', 'PHONE_NUMBER_TAKEN');
      }
      throw error;
    }
  }

  async update(
    actor: TenantPrincipal,
    id: string,
    input: UpdatePhoneNumberDto,
  ): Promise<PhoneNumber> {
    await this.get(actor, id);
    await this.assertAgent(actor, input.agentId);
    await this.numbers.update(actor.organizationId, id, input);
    return this.get(actor, id);
  }

  async remove(actor: TenantPrincipal, id: string): Promise<void> {
    if (!(await this.numbers.delete(actor.organizationId, id))) throw notFound();
  }

  /** An agent of another organization is as good as absent. */
  private async assertAgent(
    actor: TenantPrincipal,
    agentId: string | null | undefined,
  ): Promise<void> {
    if (!agentId) return;
    if (!(await this.agents.findById(actor.organizationId, agentId))) {
      throw new ValidationError('agentId must be an agent of your organization', {
        fields: [{ field: 'agentId', errors: ['must be an agent of your organization'] }],
      });
    }
  }
}
