import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { RequestContext } from '../../../common/request-context/request-context';
import type { Customer } from '../customers/customer.entity';
import { CustomersRepository } from '../customers/customers.repository';
import type { TelephonyProvider } from '../phone-numbers/phone-number.entity';
import {
  CALL_DURATION,
  CALLS_COMPLETED,
  CALLS_FAILED,
  CALLS_INITIATED,
} from '../telephony.metrics';
import { CallStatus, decideTransition, isTerminal } from './call-status';
import type { CallTurn } from './call-turn.entity';
import { Call, CallDirection } from './call.entity';
import { CallsRepository, NewTurn } from './calls.repository';

export interface InboundCall {
  organizationId: string;
  provider: TelephonyProvider;
  providerCallId: string;
  from: string;
  to: string;
  agentId: string | null;
  status: CallStatus;
  metadata?: Record<string, unknown>;
}

export type StatusOutcome = 'applied' | 'same' | 'stale' | 'duplicate' | 'unknown_call';

/** The call lifecycle: creation, provider status callbacks through the state machine, turns and events. */
@Injectable()
export class CallsService {
  private readonly logger = new Logger('Calls');

  constructor(
    private readonly calls: CallsRepository,
    private readonly customers: CustomersRepository,
    @InjectMetric(CALLS_INITIATED) private readonly initiated: Counter<string>,
    @InjectMetric(CALLS_COMPLETED) private readonly completed: Counter<string>,
    @InjectMetric(CALLS_FAILED) private readonly failed: Counter<string>,
    @InjectMetric(CALL_DURATION) private readonly duration: Histogram<string>,
  ) {}

  /** Creates the call (and its customer) on the first webhook, or resumes it when the webhook is retried. */
  async acceptInbound(
    input: InboundCall,
  ): Promise<{ call: Call; created: boolean; customer: Customer }> {
    const now = new Date();
    const customer = await this.customers.recordContact(input.organizationId, input.from, now);
    const result = await this.calls.insertOrGet({
      organizationId: input.organizationId,
      provider: input.provider,
      providerCallId: input.providerCallId,
      direction: 'inbound',
      fromNumber: input.from,
      toNumber: input.to,
      agentId: input.agentId,
      customerId: customer.id,
      status: input.status,
      startedAt: now,
      metadata: input.metadata ?? {},
    });
    RequestContext.assign({ callId: result.call.id, organizationId: input.organizationId });
    if (result.created) {
      this.initiated.inc({ direction: 'inbound' });
      this.logger.log(`Inbound call ${result.call.id} from ${input.from} to ${input.to}`);
    }
    return { ...result, customer };
  }

  findByProviderCallId(provider: TelephonyProvider, providerCallId: string): Promise<Call | null> {
    return this.calls.findByProviderCallId(provider, providerCallId);
  }

  countInitiated(direction: CallDirection): void {
    this.initiated.inc({ direction });
  }

  /**
   * Applies a provider status callback once: a duplicate (same provider event) is ignored, an out-of-order one
   * that would move the call backwards is recorded and ignored, a legal one moves the call.
   */
  async applyProviderStatus(
    provider: TelephonyProvider,
    providerCallId: string,
    status: CallStatus,
    event: { type: string; payload: Record<string, unknown>; dedupeKey: string },
  ): Promise<{ outcome: StatusOutcome; call?: Call }> {
    const call = await this.calls.findByProviderCallId(provider, providerCallId);
    if (!call) return { outcome: 'unknown_call' };
    RequestContext.assign({ callId: call.id, organizationId: call.organizationId });
    const result = await this.calls.transaction(async (manager) => {
      const locked = (await this.calls.findByIdForUpdate(manager, call.id))!;
      const fresh = await this.calls.recordEvent(
        {
          callId: call.id,
          organizationId: call.organizationId,
          type: event.type,
          payload: event.payload,
          dedupeKey: event.dedupeKey,
          occurredAt: new Date(),
        },
        manager,
      );
      if (!fresh) return { outcome: 'duplicate' as const, call: locked };
      const decision = decideTransition(locked.status, status);
      if (decision !== 'apply') {
        if (decision === 'stale') {
          this.logger.log(
            `Ignored out-of-order ${status} for call ${call.id} (already ${locked.status})`,
          );
        }
        return { outcome: decision, call: locked };
      }
      const updated = await this.move(locked, status, undefined, manager);
      return { outcome: 'applied' as const, call: updated };
    });
    if (result.outcome === 'applied' && isTerminal(status)) this.countEnd(result.call);
    return result;
  }

  /**
   * A media stream claims the call: once, and only while it has not ended. The claim is the call's
   * `stream.started` event, stored under the call's row lock, so a stream token replayed within its lifetime
   * (a second stream for the same call, or one after it ended) attaches nothing and costs no agent.
   */
  async attachStream(
    call: Pick<Call, 'id' | 'organizationId'>,
    stream: { streamSid: string; providerCallId: string },
  ): Promise<'attached' | 'ended' | 'already_attached'> {
    return this.calls.transaction(async (manager) => {
      const locked = await this.calls.findByIdForUpdate(manager, call.id);
      if (!locked || isTerminal(locked.status)) return 'ended';
      const claimed = await this.calls.recordEvent(
        {
          callId: call.id,
          organizationId: call.organizationId,
          type: 'stream.started',
          payload: { streamSid: stream.streamSid, callSid: stream.providerCallId },
          dedupeKey: 'stream.started',
          occurredAt: new Date(),
        },
        manager,
      );
      if (!claimed) return 'already_attached';
      if (decideTransition(locked.status, 'in_progress') === 'apply') {
        await this.move(locked, 'in_progress', undefined, manager);
      }
      return 'attached';
    });
  }

  /** Ends a call unless it already ended; returns the call as it is afterwards. */
  async end(callId: string, status: CallStatus, reason: string): Promise<Call | null> {
    let ended = false;
    const call = await this.calls.transaction(async (manager) => {
      const locked = await this.calls.findByIdForUpdate(manager, callId);
      if (!locked || isTerminal(locked.status)) return locked;
      // A status the table does not allow from here (e.g. no_answer once connected) ends it as failed.
      let target: CallStatus = 'failed';
      try {
        if (decideTransition(locked.status, status) === 'apply') target = status;
      } catch {
        // keep 'failed'
      }
      ended = true;
      return this.move(locked, target, reason, manager);
    });
    // Counted once committed: a rolled-back end must not show in the metrics.
    if (ended && call) this.countEnd(call);
    return call;
  }

  async recordEvent(
    call: Pick<Call, 'id' | 'organizationId'>,
    type: string,
    payload: Record<string, unknown> = {},
    dedupeKey?: string,
  ): Promise<boolean> {
    return this.calls.recordEvent({
      callId: call.id,
      organizationId: call.organizationId,
      type,
      payload,
      dedupeKey: dedupeKey ?? `${type}:${crypto.randomUUID()}`,
      occurredAt: new Date(),
    });
  }

  recordTurn(call: Pick<Call, 'id' | 'organizationId'>, turn: NewTurn): Promise<CallTurn> {
    return this.calls.appendTurn(call.organizationId, call.id, turn);
  }

  updateTurn(id: string, patch: Parameters<CallsRepository['updateTurn']>[1]): Promise<void> {
    return this.calls.updateTurn(id, patch);
  }

  private async move(
    call: Call,
    status: CallStatus,
    reason: string | undefined,
    manager: Parameters<CallsRepository['update']>[2],
  ): Promise<Call> {
    const now = new Date();
    const patch: Parameters<CallsRepository['update']>[1] = { status };
    if (status === 'in_progress' && !call.answeredAt) patch.answeredAt = now;
    if (isTerminal(status)) {
      patch.endedAt = now;
      patch.durationSeconds = Math.max(
        0,
        Math.round((now.getTime() - call.startedAt.getTime()) / 1000),
      );
      patch.endReason = reason ?? call.endReason ?? status;
    }
    await this.calls.update(call.id, patch, manager);
    return Object.assign(call, patch);
  }

  private countEnd({ status, endReason, durationSeconds }: Call): void {
    this.duration.observe(durationSeconds ?? 0);
    if (status === 'completed') this.completed.inc();
    else
      this.failed.inc({
        reason: status === 'failed' || status === 'canceled' ? (endReason ?? status) : status,
      });
  }
}
