import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type WebSocket from 'ws';
import { ShutdownService } from '../../../common/lifecycle/shutdown.service';
import { AppConfig } from '../../../config/app-config';
import { AgentsService } from '../../agent/agents/agents.service';
import { CallsRepository } from '../calls/calls.repository';
import { CallsService } from '../calls/calls.service';
import { AdmissionService } from '../queue/admission.service';
import { CallQueue } from '../queue/call-queue';
import { CallRegistry } from '../registry/call-registry';
import { PendingStreams } from '../streams/pending-streams';
import { StreamTokenService } from '../streams/stream-token.service';
import { TwilioCallControl } from '../twilio/rest/twilio-call-control';
import { ACTIVE_CALLS, MEDIA_FRAMES, MEDIA_INBOUND_LAG } from '../telephony.metrics';
import { CallSession, type Corkable } from './call-session';
import { VoicePipelineFactory } from './voice-pipeline';

/**
 * Owns the live media sessions of this instance: opens one per WebSocket, counts them, and takes part in the
 * shutdown drain: live calls continue until they end or SHUTDOWN_DRAIN_TIMEOUT passes, then they are ended
 * with reason `shutdown`, and no call this instance admitted is left in a non-terminal state.
 */
@Injectable()
export class CallSessionManager implements OnModuleInit {
  private readonly logger = new Logger('CallSessions');
  private readonly sessions = new Set<CallSession>();
  private readonly inboundFrames: Counter.Internal;
  private readonly outboundFrames: Counter.Internal;

  constructor(
    private readonly config: AppConfig,
    private readonly calls: CallsService,
    private readonly callsRepository: CallsRepository,
    private readonly agents: AgentsService,
    private readonly callControl: TwilioCallControl,
    private readonly registry: CallRegistry,
    private readonly queue: CallQueue,
    private readonly admission: AdmissionService,
    private readonly streamTokens: StreamTokenService,
    private readonly pendingStreams: PendingStreams,
    private readonly pipelines: VoicePipelineFactory,
    private readonly shutdown: ShutdownService,
    @InjectMetric(ACTIVE_CALLS) private readonly active: Gauge<string>,
    @InjectMetric(MEDIA_FRAMES) frames: Counter<string>,
    @InjectMetric(MEDIA_INBOUND_LAG) private readonly inboundLag: Histogram<string>,
  ) {
    // Bound label children, which sessions update a batch of frames at a time.
    this.inboundFrames = frames.labels({ direction: 'inbound' });
    this.outboundFrames = frames.labels({ direction: 'outbound' });
  }

  onModuleInit(): void {
    this.shutdown.register({
      name: 'live calls',
      // Calls answered a moment ago count too: their streams are on their way.
      inFlight: () => this.sessions.size + this.pendingStreams.count(),
      // Behind a load balancer a stream may attach to another instance, which takes the call's slot: this one
      // stops waiting for it then, rather than for the whole arrival window.
      refresh: async () => {
        if (this.pendingStreams.count() === 0) return;
        const local = await this.registry.listLocal();
        this.pendingStreams.retainOnly(new Set(local.map((entry) => entry.callId)));
      },
      forceStop: () => this.endAll('shutdown'),
      afterDrain: () => this.closeAdmittedCalls(),
    });
  }

  get liveCount(): number {
    return this.sessions.size;
  }

  open(socket: WebSocket, transport?: Corkable): CallSession {
    const session = new CallSession(socket, transport, {
      calls: this.calls,
      registry: this.registry,
      streamTokens: this.streamTokens,
      pipelines: this.pipelines,
      callControl: this.callControl,
      loadCall: (organizationId, callId) => this.loadCall(organizationId, callId),
      onAttached: (callId) => this.pendingStreams.attached(callId),
      maxTurns: this.config.telephony.maxTurns,
      heartbeatMs: Math.max(
        1000,
        Math.floor((this.config.telephony.registryTtlSeconds * 1000) / 3),
      ),
      onFrames: (direction, count) =>
        (direction === 'inbound' ? this.inboundFrames : this.outboundFrames).inc(count),
      onInboundLag: (seconds) => this.inboundLag.observe(seconds),
      onEnded: (ended) => {
        this.sessions.delete(ended);
        this.active.set(this.sessions.size);
      },
    });
    this.sessions.add(session);
    this.active.set(this.sessions.size);
    return session;
  }

  private async loadCall(organizationId: string, callId: string) {
    const call = await this.callsRepository.findById(organizationId, callId);
    if (!call) return null;
    const profile = call.agentId
      ? await this.agents.profileForCall(organizationId, call.agentId, call.id, call.variantId)
      : null;
    const variantId = profile?.variant?.id ?? null;
    if (variantId && variantId !== call.variantId) {
      await this.callsRepository.update(call.id, { variantId });
      await this.calls.recordEvent(call, 'agent.variant_assigned', {
        variantId,
        name: profile!.variant!.name,
      });
    }
    return { call, agent: profile?.agent ?? null, variantId };
  }

  private async endAll(reason: string): Promise<void> {
    this.logger.warn(`Ending ${this.sessions.size} live call(s): ${reason}`);
    await Promise.allSettled([...this.sessions].map((session) => session.end('completed', reason)));
  }

  /**
   * Calls admitted here that never got (or lost) a stream end as `shutdown`, and so do callers waiting in this
   * instance's own queue. A queue in Redis belongs to every instance: its callers' next polls reach one that is
   * still running, so one instance's restart must not hang them all up.
   */
  private async closeAdmittedCalls(): Promise<void> {
    const admitted = (await this.registry.listLocal()).map((entry) => entry.callId);
    const queued =
      this.config.features.callQueue && !this.queue.shared ? await this.queue.list() : [];
    const open = await this.callsRepository.findOpen([...admitted, ...queued]);
    for (const call of open) {
      await this.calls.end(call.id, 'canceled', 'shutdown');
      await this.admission.release(call.id);
    }
    if (open.length > 0)
      this.logger.warn(`Closed ${open.length} admitted call(s) without a live stream: shutdown`);
  }
}
