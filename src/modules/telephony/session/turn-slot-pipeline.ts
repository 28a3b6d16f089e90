import { Logger } from '@nestjs/common';
import {
  DEFAULT_ENDPOINTER_OPTIONS,
  Endpointer,
  EndpointerOptions,
} from '../../voice/turns/endpointer';
import type { CallAudioSink, CallContext, VoicePipeline } from './voice-pipeline';
import { VoicePipelineFactory } from './voice-pipeline';

/**
 * The pipeline used until speech recognition and synthesis are configured. It does not pretend to understand
 * anyone: it detects the caller's utterances by energy, records each as an untranscribed caller turn (a
 * transcript slot), relays DTMF as events, and lets the session enforce the turn limit.
 */
class TurnSlotPipeline implements VoicePipeline {
  private readonly logger = new Logger('TurnSlotPipeline');
  private readonly endpointer: Endpointer;
  private readonly streamStartedAt = Date.now();
  private callerTurns = 0;
  private closed = false;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly context: CallContext,
    private readonly sink: CallAudioSink,
    endpointerOptions: EndpointerOptions = DEFAULT_ENDPOINTER_OPTIONS,
  ) {
    this.endpointer = new Endpointer((utterance) => {
      const write = this.recordUtterance(
        utterance.startMs,
        utterance.endMs,
        utterance.speechMs,
      ).catch((error: unknown) =>
        this.logger.error(
          `Could not record a caller turn of call ${this.context.callId}: ${String(error)}`,
        ),
      );
      this.pending.add(write);
      void write.finally(() => this.pending.delete(write));
    }, endpointerOptions);
  }

  async start(): Promise<void> {
    const firstMessage = this.context.agent?.firstMessage;
    if (firstMessage) {
      await this.sink.recordEvent('agent.first_message_not_spoken', {
        reason: 'no text-to-speech provider is configured',
        text: firstMessage,
      });
    }
  }

  onAudio(frame: Buffer): void {
    if (!this.closed) this.endpointer.push(frame);
  }

  onDtmf(digit: string): void {
    void this.sink.recordEvent('caller.dtmf', { digit });
  }

  onMark(): void {
    // This pipeline plays nothing, so no marks of its own come back.
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.endpointer.flush();
    this.closed = true;
    await Promise.allSettled([...this.pending]);
  }

  private async recordUtterance(startMs: number, endMs: number, speechMs: number): Promise<void> {
    this.callerTurns++;
    await this.sink.recordTurn({
      role: 'caller',
      text: null,
      startedAt: new Date(this.streamStartedAt + startMs),
      endedAt: new Date(this.streamStartedAt + endMs),
      latency: {},
      sentiment: null,
      interrupted: false,
      metadata: { transcribed: false, speechMs },
    });
    if (this.callerTurns >= this.context.maxTurns) this.sink.hangup('max_turns');
  }
}

/** Built by the voice module's factory when a call cannot have a full conversation. */
export class TurnSlotPipelineFactory extends VoicePipelineFactory {
  constructor(private readonly endpointerOptions: EndpointerOptions = DEFAULT_ENDPOINTER_OPTIONS) {
    super();
  }

  create(context: CallContext, sink: CallAudioSink): VoicePipeline {
    return new TurnSlotPipeline(context, sink, this.endpointerOptions);
  }
}
