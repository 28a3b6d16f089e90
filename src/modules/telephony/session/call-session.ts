import { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import { RequestContext } from '../../../common/request-context/request-context';
import type { Agent } from '../../agent/agents/agent.entity';
import type { CallTurn } from '../calls/call-turn.entity';
import type { Call } from '../calls/call.entity';
import type { CallsService } from '../calls/calls.service';
import type { NewTurn } from '../calls/calls.repository';
import type { CallRegistry } from '../registry/call-registry';
import type { StreamTokenService } from '../streams/stream-token.service';
import type { TwilioCallControl } from '../twilio/rest/twilio-call-control';
import { Twiml } from '../twilio/twiml';
import { TwilioOutbound, twilioInboundMessageSchema } from '../twilio/twilio-media-messages';
import type { CallAudioSink, VoicePipeline, VoicePipelineFactory } from './voice-pipeline';

export const FRAME_BYTES = 160; // 20 ms of 8 kHz mu-law
// Unacknowledged audio we let pile up on a slow socket: 30 s of speech. Beyond it, output is dropped.
const MAX_BUFFERED_BYTES = 512 * 1024;
const START_TIMEOUT_MS = 10_000;
const MAX_PROTOCOL_ERRORS = 20;
// Caller audio that arrives while the stream is being attached (token check, call lookup) is kept, not lost.
const MAX_EARLY_FRAMES = 250;
// Frames are counted here and handed to the metric a second's worth at a time (and when the stream ends): a
// metric update per frame, 50 a second per call in each direction, was a measurable share of the media path.
const FRAME_COUNT_BATCH = 50;

export interface CallSessionDeps {
  calls: CallsService;
  registry: CallRegistry;
  streamTokens: StreamTokenService;
  pipelines: VoicePipelineFactory;
  callControl: TwilioCallControl;
  /** The call and the agent it talks to (with its A/B variant, which is recorded on the call). */
  loadCall: (
    organizationId: string,
    callId: string,
  ) => Promise<{ call: Call; agent: Agent | null; variantId: string | null } | null>;
  maxTurns: number;
  heartbeatMs: number;
  /** Frames handled, counted in batches (see FRAME_COUNT_BATCH). */
  onFrames: (direction: 'inbound' | 'outbound', count: number) => void;
  /** Seconds an inbound frame was handled later than its stream's timeline says (delay variation). */
  onInboundLag: (seconds: number) => void;
  /** The stream claimed its call (the drain stops waiting for it to arrive). */
  onAttached: (callId: string) => void;
  onEnded: (session: CallSession) => void;
}

/** What `play` needs of the connection under the WebSocket (a net.Socket). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

type SessionState = 'awaiting_start' | 'starting' | 'live' | 'ending' | 'ended';

/**
 * One Twilio media stream, bound to one call. Speaks Twilio's protocol (connected, start, media, mark, dtmf,
 * stop in; media, mark, clear out), hands caller audio to the voice pipeline and plays what it returns,
 * tracks marks so it knows what the caller actually heard, and always leaves the call in a terminal state.
 */
export class CallSession implements CallAudioSink {
  private readonly logger = new Logger('CallSession');
  private state: SessionState = 'awaiting_start';
  private streamSid = '';
  private call: Call | undefined;
  private pipeline: VoicePipeline | undefined;
  private protocolErrors = 0;
  private droppedFrames = 0;
  private readonly pendingMarks: string[] = [];
  private readonly earlyFrames: Buffer[] = [];
  private readonly startTimer: NodeJS.Timeout;
  private heartbeat: NodeJS.Timeout | undefined;
  private endReason: string | undefined;
  // Smallest (arrival - media timestamp) seen: the stream's most punctual frame, the zero of its lag.
  private bestOffsetMs = Infinity;
  private readonly uncountedFrames = { inbound: 0, outbound: 0 };

  constructor(
    private readonly socket: WebSocket,
    /** The TCP socket under `socket`: corked while a burst of frames is queued, so they leave in one write. */
    private readonly transport: Corkable | undefined,
    private readonly deps: CallSessionDeps,
  ) {
    this.startTimer = setTimeout(
      () => this.abort('no start message within 10 s'),
      START_TIMEOUT_MS,
    );
    socket.on('message', (data, isBinary) => {
      // A throw in a socket listener is an uncaught exception: it would take every call on the instance down
      // with it. A fault confined to one stream ends that stream's call, nothing else.
      try {
        this.onMessage(data as Buffer, isBinary);
      } catch (error) {
        this.logger.error(error instanceof Error ? error : new Error(String(error)));
        void this.end('failed', 'internal_error');
      }
    });
    socket.on('close', () => void this.onSocketClosed());
    socket.on('error', (error) => this.logger.warn(`Media socket error: ${error.message}`));
  }

  get callId(): string | undefined {
    return this.call?.id;
  }

  get isLive(): boolean {
    return this.state === 'live';
  }

  // ---- inbound protocol -------------------------------------------------------------------------------

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.protocolError('binary frame');
    let message: {
      event?: unknown;
      media?: { payload?: unknown; track?: unknown; timestamp?: unknown };
    };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return this.protocolError('unparseable JSON');
    }
    // `null`, a number or an array parse fine and are not messages.
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return this.protocolError('not a JSON object');
    // Hot path: 50 media messages a second per call skip schema validation.
    if (message.event === 'media') {
      const payload = message.media?.payload;
      if (typeof payload !== 'string') return;
      if (message.media?.track !== undefined && message.media.track !== 'inbound') return;
      if (++this.uncountedFrames.inbound === FRAME_COUNT_BATCH) this.countFrames();
      this.measureLag(message.media?.timestamp);
      if (this.state === 'live') this.pipeline?.onAudio(Buffer.from(payload, 'base64'));
      else if (this.state === 'starting' && this.earlyFrames.length < MAX_EARLY_FRAMES) {
        this.earlyFrames.push(Buffer.from(payload, 'base64'));
      }
      return;
    }
    const parsed = twilioInboundMessageSchema.safeParse(message);
    if (!parsed.success) return this.protocolError(`invalid ${String(message.event)} message`);
    const event = parsed.data;
    switch (event.event) {
      case 'connected':
        return;
      case 'start':
        if (this.starting) return this.protocolError('second start message');
        this.starting = this.onStart(
          event.streamSid,
          event.start.callSid,
          event.start.customParameters,
        ).catch((error: unknown) => {
          this.logger.error(error instanceof Error ? error : new Error(String(error)));
          void this.end('failed', 'stream_start_failed');
        });
        return;
      case 'mark':
        this.onMarkPlayed(event.mark.name);
        return;
      case 'dtmf':
        if (this.state === 'live') this.pipeline?.onDtmf(event.dtmf.digit);
        return;
      case 'stop':
        void this.afterStart().then(() => this.end('completed', 'stream_stopped'));
        return;
      case 'media':
        return;
    }
  }

  private async onStart(
    streamSid: string,
    callSid: string,
    parameters: Record<string, string>,
  ): Promise<void> {
    if (this.state !== 'awaiting_start') return this.protocolError('second start message');
    this.state = 'starting';
    clearTimeout(this.startTimer);
    const claims = this.deps.streamTokens.verify(parameters.token ?? '');
    if (!claims || claims.providerCallId !== callSid) {
      this.logger.warn(
        `Refused a media stream for ${callSid}: missing, invalid or expired stream token`,
      );
      this.discard(1008, 'invalid stream token');
      return;
    }
    this.claimedCallId = claims.callId;
    const loaded = await this.deps.loadCall(claims.organizationId, claims.callId);
    if (!loaded) {
      this.discard(1008, 'unknown call');
      return;
    }
    this.streamSid = streamSid;
    this.call = loaded.call;
    await RequestContext.run(
      { callId: loaded.call.id, organizationId: loaded.call.organizationId },
      async () => {
        const attached = await this.deps.calls.attachStream(loaded.call, {
          streamSid,
          providerCallId: callSid,
        });
        if (attached !== 'attached') {
          // A replayed token: the call's own stream (or its end) stays as it is, this one never belonged.
          this.logger.warn(
            `Refused a media stream for call ${loaded.call.id}: ${attached === 'ended' ? 'the call has ended' : 'another stream already attached'}`,
          );
          this.discard(1008, 'stream already used');
          return;
        }
        this.deps.onAttached(loaded.call.id);
        // Nothing ends the session while this runs (end() waits for the start), so no step below races one.
        await this.deps.registry.register({
          callId: loaded.call.id,
          organizationId: loaded.call.organizationId,
        });
        this.heartbeat = setInterval(
          () =>
            void this.deps.registry
              .heartbeat(loaded.call.id)
              .catch((error: Error) =>
                this.logger.warn(`Registry heartbeat failed: ${error.message}`),
              ),
          this.deps.heartbeatMs,
        );
        this.heartbeat.unref();
        const agent = loaded.agent;
        this.pipeline = this.deps.pipelines.create(
          {
            callId: loaded.call.id,
            organizationId: loaded.call.organizationId,
            customerId: loaded.call.customerId,
            from: loaded.call.fromNumber,
            to: loaded.call.toNumber,
            agent,
            variantId: loaded.variantId,
            maxTurns: Math.min(this.deps.maxTurns, agent?.maxTurns ?? this.deps.maxTurns),
          },
          this,
        );
        this.logger.log(`Media stream ${streamSid} attached to call ${loaded.call.id}`);
        this.state = 'live';
        // The buffered frames go in before anything can yield: frames arriving from now on are newer.
        const started = this.pipeline.start();
        for (const frame of this.earlyFrames.splice(0)) this.pipeline.onAudio(frame);
        await started;
      },
    );
  }

  private starting: Promise<void> | undefined;
  /** The call the stream's token names, known before the call is loaded (so a failed load can still end it). */
  private claimedCallId: string | undefined;
  private transferring = false;

  /** Resolves once a start in progress has finished, so `stop` never overtakes it. */
  private afterStart(): Promise<void> {
    return this.starting ?? Promise.resolve();
  }

  private countFrames(): void {
    for (const direction of ['inbound', 'outbound'] as const) {
      const count = this.uncountedFrames[direction];
      if (count === 0) continue;
      this.uncountedFrames[direction] = 0;
      this.deps.onFrames(direction, count);
    }
  }

  private measureLag(timestamp: unknown): void {
    const at = Number(timestamp);
    if (!Number.isFinite(at)) return;
    const offset = Date.now() - at;
    if (offset < this.bestOffsetMs) this.bestOffsetMs = offset;
    this.deps.onInboundLag((offset - this.bestOffsetMs) / 1000);
  }

  private onMarkPlayed(name: string): void {
    const index = this.pendingMarks.indexOf(name);
    if (index >= 0) this.pendingMarks.splice(0, index + 1);
    this.pipeline?.onMark(name);
  }

  // ---- CallAudioSink: what the pipeline does to the call ----------------------------------------------

  play(audio: Buffer, mark?: string): void {
    if (this.state !== 'live') return;
    // A chunk of speech is many 20 ms frames: one system call and a few TCP segments for all of them, instead
    // of a write per frame (the WebSocket sends each message as its own write).
    this.transport?.cork();
    try {
      this.sendFrames(audio);
      if (mark) {
        this.pendingMarks.push(mark);
        this.socket.send(TwilioOutbound.mark(this.streamSid, mark));
      }
    } finally {
      this.transport?.uncork();
    }
  }

  private sendFrames(audio: Buffer): void {
    for (let offset = 0; offset < audio.length; offset += FRAME_BYTES) {
      if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        // A socket that does not drain must not grow memory: drop what it cannot take, and say so once.
        if (this.droppedFrames++ === 0)
          this.logger.warn(`Media socket of call ${this.callId} is not draining; dropping audio`);
        continue;
      }
      this.socket.send(
        TwilioOutbound.media(this.streamSid, audio.subarray(offset, offset + FRAME_BYTES)),
      );
      if (++this.uncountedFrames.outbound === FRAME_COUNT_BATCH) this.countFrames();
    }
  }

  clear(): void {
    if (this.state !== 'live') return;
    this.socket.send(TwilioOutbound.clear(this.streamSid));
    this.pendingMarks.length = 0;
  }

  hangup(reason: string): void {
    void this.end('completed', reason);
  }

  async transfer(to: string): Promise<void> {
    const call = this.requireCall();
    this.transferring = true;
    try {
      await this.deps.callControl.updateCall(call.providerCallId!, { twiml: Twiml.dial(to) });
    } catch (error) {
      this.transferring = false;
      throw error;
    }
    await this.recordEvent('call.transferred', { to });
    // Twilio now runs the <Dial>: our stream stops, the AI's part of the call is over.
    void this.end('completed', 'transferred');
  }

  recordTurn(turn: NewTurn): Promise<CallTurn> {
    return this.deps.calls.recordTurn(this.requireCall(), turn);
  }

  updateTurn(id: string, patch: Parameters<CallAudioSink['updateTurn']>[1]): Promise<void> {
    return this.deps.calls.updateTurn(id, patch);
  }

  async recordEvent(type: string, payload: Record<string, unknown> = {}): Promise<void> {
    await this.deps.calls.recordEvent(this.requireCall(), type, payload);
  }

  // ---- ending -----------------------------------------------------------------------------------------

  /** Ends the call (idempotent): pipeline closed, registry entry removed, record terminal, socket closed. */
  async end(status: 'completed' | 'failed' | 'canceled', reason: string): Promise<void> {
    // Whether this stream owns the call its token names is known once its start has finished: a replayed
    // token's stream (refused there) must not end the call another stream is serving.
    if (this.state === 'starting') await this.afterStart();
    if (this.state === 'ending' || this.state === 'ended') return;
    if (this.transferring) {
      // A transfer's <Dial> stops (or drops) the stream before transfer() has ended the call itself.
      status = 'completed';
      reason = 'transferred';
    }
    this.state = 'ending';
    this.endReason = reason;
    clearTimeout(this.startTimer);
    clearInterval(this.heartbeat);
    const call = this.call;
    // A stream whose call could not be loaded is still ended by the id its token names: never left ringing.
    const callId = call?.id ?? this.claimedCallId;
    try {
      if (call) {
        await this.pipeline?.close(reason).catch((error: Error) => this.logger.error(error));
        // Each step on its own: a failed event or registry write must not leave the call open on the dashboard.
        await this.bestEffort('record the end of its stream', async () => {
          if (this.droppedFrames > 0)
            await this.recordEvent('stream.audio_dropped', { frames: this.droppedFrames });
          await this.recordEvent('stream.ended', { reason });
        });
        await this.bestEffort('unregister it', () => this.deps.registry.unregister(call.id));
      }
      if (callId) {
        await this.deps.calls.end(callId, status, reason);
        this.logger.log(`Call ${callId} ended (${status}, ${reason})`);
      }
    } catch (error) {
      this.logger.error(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.state = 'ended';
      if (this.socket.readyState === this.socket.OPEN)
        this.socket.close(1000, reason.slice(0, 100));
      this.countFrames();
      this.deps.onEnded(this);
    }
  }

  private async bestEffort(what: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.logger.warn(
        `Call ${this.callId}: could not ${what} while ending: ${(error as Error).message}`,
      );
    }
  }

  private async onSocketClosed(): Promise<void> {
    this.countFrames(); // what arrived after the call ended, too
    await this.afterStart();
    if (this.state === 'ended' || this.state === 'ending') return;
    // The provider went away without `stop`: the caller is gone or the network failed.
    await this.end(
      'failed',
      this.state === 'live' ? 'stream_disconnected' : 'stream_never_started',
    );
  }

  /** Closes a stream that never belonged to a call of ours. */
  private discard(code: number, why: string): void {
    this.state = 'ended';
    clearTimeout(this.startTimer);
    this.socket.close(code, why);
    this.countFrames();
    this.deps.onEnded(this);
  }

  private abort(why: string): void {
    this.logger.warn(`Closing media stream: ${why}`);
    void this.end('failed', 'stream_never_started');
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(1008, why);
  }

  private protocolError(what: string): void {
    if (++this.protocolErrors === 1) this.logger.warn(`Media stream protocol error: ${what}`);
    if (this.protocolErrors > MAX_PROTOCOL_ERRORS) {
      void this.end('failed', 'protocol_error');
    }
  }

  private requireCall(): Call {
    if (!this.call) throw new Error('the media stream has not started');
    return this.call;
  }

  get reason(): string | undefined {
    return this.endReason;
  }
}
