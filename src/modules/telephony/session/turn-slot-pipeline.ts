import { Logger } from '@nestjs/common';
import {
  DEFAULT_ENDPOINTER_OPTIONS,
  Endpointer,
  EndpointerOptions,
} from '../../voice/turns/endpointer';
import type { TextToSpeech } from '../../voice/providers/tts/text-to-speech';
import type { CallAudioSink, CallContext, VoicePipeline } from './voice-pipeline';
import { VoicePipelineFactory } from './voice-pipeline';

/**
 * The pipeline used until speech recognition and a conversation model are configured. It does not pretend to
 * understand anyone: it speaks the agent's first message when a text-to-speech is available, detects the
 * caller's utterances, records each as an untranscribed caller turn (a transcript slot), relays DTMF as
 * events, and lets the session enforce the turn limit.
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
    private readonly tts: TextToSpeech | null = null,
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
    if (!firstMessage) return;
    if (!this.tts) {
      // Informational: a failed write is logged, it does not end the call.
      await this.sink
        .recordEvent('agent.first_message_not_spoken', {
          reason: 'no text-to-speech provider is configured',
          text: firstMessage,
        })
        .catch((error: unknown) =>
          this.logger.warn(
            `Could not record that call ${this.context.callId}'s first message was not spoken: ${String(error)}`,
          ),
        );
      return;
    }
    // Spoken in the background: the caller's audio must keep flowing into the endpointer meanwhile.
    const greeting = this.speak(firstMessage, this.tts).catch((error: unknown) =>
      this.logger.warn(
        `Could not speak the first message of call ${this.context.callId}: ${String(error)}`,
      ),
    );
    this.pending.add(greeting);
    void greeting.finally(() => this.pending.delete(greeting));
  }

  private async speak(text: string, tts: TextToSpeech): Promise<void> {
    const turn = await this.sink.recordTurn({
      role: 'agent',
      text,
      startedAt: new Date(),
      endedAt: null,
      latency: {},
      sentiment: null,
      interrupted: false,
      metadata: { tts: tts.name, firstMessage: true },
    });
    for await (const audio of tts.synthesize(text, {
      voice: this.context.agent?.voice,
      language: this.context.agent?.language,
    })) {
      if (this.closed || this.callerTurns >= this.context.maxTurns) break;
      this.sink.play(audio);
    }
    await this.sink.updateTurn(turn.id, { endedAt: new Date() });
  }

  onAudio(frame: Buffer): void {
    // Once the turn limit is reached the call is ending: later speech is not another turn.
    if (!this.closed && this.callerTurns < this.context.maxTurns) this.endpointer.push(frame);
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
  constructor(
    private readonly endpointerOptions: EndpointerOptions = DEFAULT_ENDPOINTER_OPTIONS,
    private readonly tts: TextToSpeech | null = null,
  ) {
    super();
  }

  create(context: CallContext, sink: CallAudioSink): VoicePipeline {
    return new TurnSlotPipeline(context, sink, this.endpointerOptions, this.tts);
  }
}
