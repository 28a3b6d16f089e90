import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { ShutdownService } from '../../../common/lifecycle/shutdown.service';
import { AppConfig } from '../../../config/app-config';
import { CallsService } from '../calls/calls.service';
import { CallRegistry } from '../registry/call-registry';
import { CALL_QUEUE_DEPTH } from '../telephony.metrics';
import { CallQueue } from './call-queue';

export type Admission =
  | { kind: 'connect' }
  | { kind: 'queued'; position: number }
  | { kind: 'busy'; reason: 'capacity' | 'queue_full' }
  | { kind: 'draining' };

/**
 * Decides whether a call may connect now. Capacity is MAX_CONCURRENT_CALLS live calls per instance; a slot is
 * reserved in the registry as soon as the call is admitted, before its media stream arrives. When full,
 * callers wait in the priority queue (ENABLE_CALL_QUEUE) or hear busy; while draining, nobody new connects.
 * A waiting caller's hold loop asks again every few seconds; one that stops asking for CALL_QUEUE_ABANDON_AFTER
 * is gone (Twilio's status callback can be lost) and gives its place back before anyone is admitted.
 */
@Injectable()
export class AdmissionService {
  private readonly logger = new Logger('CallAdmission');

  constructor(
    private readonly config: AppConfig,
    private readonly registry: CallRegistry,
    private readonly queue: CallQueue,
    private readonly calls: CallsService,
    private readonly shutdown: ShutdownService,
    @InjectMetric(CALL_QUEUE_DEPTH) private readonly depth: Gauge<string>,
  ) {}

  async admit(call: {
    callId: string;
    organizationId: string;
    priority: number;
  }): Promise<Admission> {
    if (this.shutdown.isShuttingDown) return { kind: 'draining' };
    const queueEmpty =
      (await this.queue.size()) === 0 ||
      ((await this.removeAbandoned()) > 0 && (await this.queue.size()) === 0);
    if (queueEmpty && (await this.takeSlot(call))) return { kind: 'connect' };
    if (!this.config.features.callQueue) return { kind: 'busy', reason: 'capacity' };
    const position = await this.queue.enqueue(
      { callId: call.callId, priority: call.priority, enqueuedAt: Date.now() },
      this.config.telephony.maxQueueSize,
    );
    await this.refreshDepth();
    return position === undefined
      ? { kind: 'busy', reason: 'queue_full' }
      : { kind: 'queued', position };
  }

  /** A waiting caller's turn: connects when it heads the queue and a slot is free. */
  async poll(call: { callId: string; organizationId: string }): Promise<Admission> {
    if (this.shutdown.isShuttingDown) {
      // A shared queue's caller keeps their place: the hold loop's next request reaches a running instance.
      const position = this.queue.shared
        ? await this.queue.checkIn(call.callId, Date.now())
        : undefined;
      if (position !== undefined) return { kind: 'queued', position };
      await this.leaveQueue(call.callId);
      return { kind: 'draining' };
    }
    await this.removeAbandoned();
    const position = await this.queue.checkIn(call.callId, Date.now());
    if (position === undefined) return { kind: 'busy', reason: 'queue_full' };
    if (position === 0 && (await this.takeSlot(call))) {
      await this.queue.remove(call.callId);
      await this.refreshDepth();
      return { kind: 'connect' };
    }
    return { kind: 'queued', position };
  }

  async leaveQueue(callId: string): Promise<void> {
    if (await this.queue.remove(callId)) await this.refreshDepth();
  }

  /** An ended call gives back whatever it held: its place in the queue and its capacity slot. */
  async release(callId: string): Promise<void> {
    await this.leaveQueue(callId);
    await this.registry.unregister(callId);
  }

  /** Ends the calls whose callers stopped asking; returns how many there were. */
  private async removeAbandoned(): Promise<number> {
    const silentFor = this.config.telephony.queueAbandonAfterMs;
    const gone = await this.queue.removeUnseenSince(Date.now() - silentFor);
    for (const callId of gone) {
      this.logger.warn(
        `Queued call ${callId}: no hold-loop request for ${silentFor / 1000} s and no status callback; the caller is presumed gone`,
      );
      await this.calls.end(callId, 'canceled', 'queue_abandoned');
    }
    if (gone.length > 0) await this.refreshDepth();
    return gone.length;
  }

  private takeSlot(call: { callId: string; organizationId: string }): Promise<boolean> {
    return this.registry.registerWithin(
      { callId: call.callId, organizationId: call.organizationId },
      this.config.telephony.maxConcurrentCalls,
    );
  }

  private async refreshDepth(): Promise<void> {
    this.depth.set(await this.queue.size());
  }
}
