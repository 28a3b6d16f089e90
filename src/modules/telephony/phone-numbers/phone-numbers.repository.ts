import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hydrate } from '../../../database/hydrate';
import { PhoneNumber } from './phone-number.entity';

/** Phone numbers, always within one organization, except the webhook's lookup by the dialled number. */
@Injectable()
export class PhoneNumbersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(PhoneNumber);
  }

  /** A provider webhook knows only the number that was dialled; numbers are unique across organizations. */
  /** Asked on every inbound webhook: plain SQL, no query builder. */
  async findByE164(e164: string): Promise<PhoneNumber | null> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      'SELECT * FROM phone_numbers WHERE e164 = $1',
      [e164],
    );
    return rows[0] ? hydrate(this.dataSource, PhoneNumber, rows[0]) : null;
  }

  list(organizationId: string): Promise<PhoneNumber[]> {
    return this.repo.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  findById(organizationId: string, id: string): Promise<PhoneNumber | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  create(
    organizationId: string,
    fields: Pick<PhoneNumber, 'e164' | 'provider' | 'agentId' | 'enabled'>,
  ) {
    return this.repo.save(this.repo.create({ ...fields, organizationId }));
  }

  async update(
    organizationId: string,
    id: string,
    patch: Partial<Pick<PhoneNumber, 'agentId' | 'enabled' | 'provider'>>,
  ): Promise<void> {
    await this.repo.update({ organizationId, id }, patch);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    return ((await this.repo.delete({ organizationId, id })).affected ?? 0) > 0;
  }
}
