import { Injectable, Logger } from '@nestjs/common';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { publicMessageOf, ValidationError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';
import { AgentsRepository } from '../../agent/agents/agents.repository';
import { CustomersRepository } from '../customers/customers.repository';
import { PhoneNumbersRepository } from '../phone-numbers/phone-numbers.repository';
import { TwilioCallControl } from '../twilio/rest/twilio-call-control';
import type { Call } from './call.entity';
import { CallsRepository } from './calls.repository';
import { CallsService } from './calls.service';

export interface DialRequest {
  to: string;
  from: string;
  agentId: string;
  maxAttempts: number;
  timeoutSeconds: number;
  metadata?: Record<string, unknown>;
}

const UNANSWERED = new Set(['busy', 'no_answer', 'failed']);

/** Outbound calls through the Twilio REST API, with attempts: each attempt is its own call record. */
@Injectable()
export class OutboundCallService {
  private readonly logger = new Logger('OutboundCalls');

  constructor(
    private readonly config: AppConfig,
    private readonly twilio: TwilioCallControl,
    private readonly calls: CallsService,
    private readonly callsRepository: CallsRepository,
    private readonly numbers: PhoneNumbersRepository,
    private readonly agents: AgentsRepository,
    private readonly customers: CustomersRepository,
  ) {}

  async dial(actor: TenantPrincipal, request: DialRequest): Promise<Call> {
    const number = await this.numbers.findByE164(request.from);
    if (!number || number.organizationId !== actor.organizationId || !number.enabled) {
      throw invalid('from', 'must be an enabled phone number of your organization');
    }
    if (!(await this.agents.findById(actor.organizationId, request.agentId))) {
      throw invalid('agentId', 'must be an agent of your organization');
    }
    return this.attempt(actor.organizationId, request, 1, undefined);
  }

  /** After an unanswered attempt (busy, no answer, failed before answer), dials again while attempts remain. */
  async retryIfUnanswered(call: Call): Promise<Call | undefined> {
    if (call.direction !== 'outbound' || call.answeredAt || !UNANSWERED.has(call.status))
      return undefined;
    if (call.attemptNumber >= call.maxAttempts) return undefined;
    this.logger.log(
      `Call ${call.id} ended ${call.status}; attempt ${call.attemptNumber + 1} of ${call.maxAttempts}`,
    );
    return this.attempt(
      call.organizationId,
      {
        to: call.toNumber,
        from: call.fromNumber,
        agentId: call.agentId!,
        maxAttempts: call.maxAttempts,
        timeoutSeconds: call.timeoutSeconds,
        metadata: call.metadata,
      },
      call.attemptNumber + 1,
      call.id,
    ).catch((error: unknown) => {
      this.logger.error(`Retry of call ${call.id} failed: ${(error as Error).message}`);
      return undefined;
    });
  }

  private async attempt(
    organizationId: string,
    request: DialRequest,
    attemptNumber: number,
    previousCallId: string | undefined,
  ): Promise<Call> {
    const now = new Date();
    const customer = await this.customers.recordContact(organizationId, request.to, now);
    const { call } = await this.callsRepository.insertOrGet({
      organizationId,
      provider: 'twilio',
      providerCallId: null,
      direction: 'outbound',
      fromNumber: request.from,
      toNumber: request.to,
      agentId: request.agentId,
      customerId: customer.id,
      status: 'queued',
      startedAt: now,
      attemptNumber,
      maxAttempts: request.maxAttempts,
      timeoutSeconds: request.timeoutSeconds,
      metadata: { ...(request.metadata ?? {}), ...(previousCallId && { previousCallId }) },
    });
    this.calls.countInitiated('outbound');
    await this.calls.recordEvent(
      call,
      'outbound.attempt',
      { attemptNumber, previousCallId },
      'outbound.attempt',
    );
    const base = this.config.server.publicBaseUrl;
    try {
      const created = await this.twilio.createCall({
        to: request.to,
        from: request.from,
        url: `${base}/telephony/twilio/voice`,
        statusCallback: `${base}/telephony/twilio/status`,
        timeoutSeconds: request.timeoutSeconds,
      });
      await this.callsRepository.update(call.id, { providerCallId: created.sid });
      call.providerCallId = created.sid;
      return call;
    } catch (error) {
      this.logger.warn(`Dialling call ${call.id} failed: ${(error as Error).message}`);
      await this.calls.recordEvent(call, 'outbound.dial_failed', {
        message: publicMessageOf(error, 'the call could not be placed'),
      });
      await this.calls.end(call.id, 'failed', 'dial_failed');
      throw error;
    }
  }
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`${field} ${message}`, { fields: [{ field, errors: [message] }] });
}
