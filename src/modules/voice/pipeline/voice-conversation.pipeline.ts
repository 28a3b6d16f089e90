import { Logger } from '@nestjs/common';
import type { Histogram } from 'prom-client';
import type {
  ConversationResponder,
  ConversationTurn,
} from '../../agent/conversation/conversation-responder';
import type { CallTurn } from '../../telephony/calls/call-turn.entity';
import type {
  CallAudioSink,
  CallContext,
  VoicePipeline,
} from '../../telephony/session/voice-pipeline';
import type { SpeechToText, SpeechToTextStream } from '../providers/stt/speech-to-text';
import type { SentimentAnalyzer } from '../sentiment/sentiment';
import type { TextToSpeech } from '../providers/tts/text-to-speech';
import { EndpointerOptions, Endpointer } from '../turns/endpointer';
import { SentenceSplitter } from './sentence-splitter';
import type { VoiceEvent, VoiceEvents } from './voice-events';

const PRE_ROLL_FRAMES = 10; // 200 ms

export type PipelineState = 'listening' | 'thinking' | 'speaking';

export interface PipelineSettings {
  endpointer: EndpointerOptions;
  bargeInMinSpeechMs: number;
  /** Pre-synthesized "sorry, could you repeat" for provider outages (undefined: no TTS could make it). */
  apologyAudio: Buffer | undefined;
  goodbye: string;
}

export interface PipelineProviders {
  stt: SpeechToText;
  tts: TextToSpeech;
  responder: ConversationResponder;
  sentiment: SentimentAnalyzer;
  latency: Histogram<string>;
  events: VoiceEvents;
}

interface Response {
  controller: AbortController;
  turn?: CallTurn;
  text: string;
  /** Sentences by mark name, and those the caller has heard (their marks came back). */
  sentences: Map<string, string>;
  heard: string[];
  lastMark?: string;
  generationDone: boolean;
  endOfSpeechAt?: number;
  latency: {
    endOfSpeechToFinalTranscriptMs?: number;
    toFirstLlmTokenMs?: number;
    toFirstTtsAudioMs?: number;
    toFirstAudioSentMs?: number;
  };
}

/**
 * One call's conversation: listening → thinking → speaking. Caller speech is endpointed and transcribed, the
 * agent's reply is streamed sentence by sentence into speech so the caller hears the first sentence while the
 * rest is generated, and caller speech longer than BARGE_IN_MIN_SPEECH_MS interrupts the agent: Twilio's
 * buffer is cleared, generation and synthesis are cancelled, and the agent turn is recorded as interrupted
 * with only the sentences the caller actually heard (by marks). Shorter sounds are backchannels.
 */
export class VoiceConversationPipeline implements VoicePipeline {
  private readonly logger = new Logger('VoicePipeline');
  private readonly endpointer: Endpointer;
  private state: PipelineState = 'listening';
  private stt: SpeechToTextStream | undefined;
  private response: Response | undefined;
  private readonly history: ConversationTurn[] = [];
  private callerTurns = 0;
  private closed = false;
  private ending = false;
  private markSequence = 0;
  private lastSpeechMs = 0;
  // The endpointer notices speech a frame or two late: recent audio is replayed into a new transcription.
  private readonly preRoll: Buffer[] = [];
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: CallContext,
    private readonly sink: CallAudioSink,
    private readonly providers: PipelineProviders,
    private readonly settings: PipelineSettings,
  ) {
    this.endpointer = new Endpointer(
      (utterance) => {
        this.lastSpeechMs = utterance.speechMs;
        this.onUtteranceEnd();
      },
      settings.endpointer,
      () => this.onSpeechStart(),
    );
  }

  private emit(event: VoiceEvent): void {
    this.providers.events.emit(
      { callId: this.context.callId, organizationId: this.context.organizationId },
      event,
    );
  }

  get currentState(): PipelineState {
    return this.state;
  }

  async start(): Promise<void> {
    const greeting = this.context.agent?.firstMessage;
    if (greeting) this.enqueue(() => this.speak(greeting, undefined));
    await Promise.resolve();
  }

  onAudio(frame: Buffer): void {
    if (this.closed) return;
    this.preRoll.push(frame);
    if (this.preRoll.length > PRE_ROLL_FRAMES) this.preRoll.shift();
    const wasSpeaking = this.endpointer.speaking;
    this.endpointer.push(frame);
    // A new utterance's stream already got the pre-roll, this frame included.
    if (this.endpointer.speaking && wasSpeaking) this.stt?.push(frame);
    if (
      this.state !== 'listening' &&
      this.response &&
      this.endpointer.currentSpeechMs >= this.settings.bargeInMinSpeechMs
    ) {
      this.interrupt('barge_in');
    }
  }

  onDtmf(digit: string): void {
    if (this.closed) return;
    this.track(this.sink.recordEvent('caller.dtmf', { digit }));
    if (this.response) this.interrupt('dtmf');
    this.enqueue(() =>
      this.answer(
        `(The caller pressed the key ${digit} on the phone keypad.)`,
        Date.now(),
        undefined,
      ),
    );
  }

  onMark(name: string): void {
    const response = this.response;
    if (!response) return;
    const sentence = response.sentences.get(name);
    if (sentence !== undefined) response.heard.push(sentence);
    if (response.generationDone && name === response.lastMark) this.finishResponse(response, false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.response?.controller.abort();
    this.stt?.close();
    await this.work.catch(() => undefined);
    await Promise.allSettled([...this.sideWork]);
    if (this.response) await this.recordAgentTurnEnd(this.response, true);
  }

  // ---- turn taking ----------------------------------------------------------------------------------

  private onSpeechStart(): void {
    this.stt?.close();
    this.stt = this.providers.stt.open({ language: this.context.agent?.language });
    this.stt.onPartial((text) => this.emit({ type: 'transcript.partial', text }));
    for (const frame of this.preRoll) this.stt.push(frame);
    this.emit({ type: 'utterance.started', atMs: Date.now() });
  }

  private onUtteranceEnd(): void {
    const stream = this.stt;
    this.emit({ type: 'utterance.ended', speechMs: this.lastSpeechMs });
    this.stt = undefined;
    if (!stream) return;
    // Speech that never reached the barge-in threshold while the agent talked was a backchannel.
    if (this.response && this.state === 'speaking') {
      stream.close();
      return;
    }
    const endOfSpeechAt = Date.now();
    this.enqueue(() => this.answer(undefined, endOfSpeechAt, stream));
  }

  private readonly sideWork = new Set<Promise<unknown>>();

  /** Work beside the conversation (sentiment): awaited on close, failures logged, never blocking a reply. */
  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) =>
      this.logger.warn(`Call ${this.context.callId}: ${(error as Error).message}`),
    );
    this.sideWork.add(tracked);
    void tracked.finally(() => this.sideWork.delete(tracked));
  }

  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.logger.error(`Call ${this.context.callId}: ${(error as Error).message}`);
      // Whatever failed (a write, a provider), the call must not stay stuck thinking or speaking.
      this.response?.controller.abort();
      this.response = undefined;
      this.state = 'listening';
    });
  }

  /** A caller turn: transcribe (or take the given input), record it, and answer it. */
  private async answer(
    input: string | undefined,
    endOfSpeechAt: number,
    stream: SpeechToTextStream | undefined,
  ): Promise<void> {
    if (this.closed) return;
    this.state = 'thinking';
    const startedAt = new Date(endOfSpeechAt);
    let text = input;
    let transcriptMs: number | undefined;
    if (stream) {
      try {
        text = (await stream.finish()).text;
        transcriptMs = Date.now() - endOfSpeechAt;
        this.emit({ type: 'transcript.final', text, latencyMs: transcriptMs });
        this.providers.latency.observe({ stage: 'transcript' }, transcriptMs / 1000);
      } catch (error) {
        await this.apologise('stt', error);
        return;
      }
    }
    if (!text) {
      this.state = 'listening';
      return;
    }
    this.callerTurns++;
    const callerTurn = await this.sink.recordTurn({
      role: 'caller',
      text,
      startedAt,
      endedAt: startedAt,
      latency: transcriptMs === undefined ? {} : { endOfSpeechToFinalTranscriptMs: transcriptMs },
      sentiment: null,
      interrupted: false,
      metadata: stream ? { transcribed: true, stt: this.providers.stt.name } : { source: 'dtmf' },
    });
    // Sentiment runs beside the reply, never in front of it.
    this.track(
      this.providers.sentiment.analyze(text).then((sentiment) => {
        this.emit({ type: 'sentiment', score: sentiment.score, label: sentiment.label });
        return this.sink.updateTurn(callerTurn.id, {
          sentiment: sentiment.score,
          metadata: {
            ...callerTurn.metadata,
            sentiment: sentiment.label,
            sentimentBy: this.providers.sentiment.name,
          },
        });
      }),
    );
    if (this.callerTurns >= this.context.maxTurns) {
      this.ending = true;
      await this.speak(this.settings.goodbye, undefined);
      return;
    }
    const history = [...this.history];
    this.history.push({ role: 'caller', text });
    await this.speak(undefined, { input: text, history, endOfSpeechAt, transcriptMs });
  }

  /**
   * Speaks fixed text, or streams the responder's reply to `request`, sentence by sentence. Resolves when
   * everything has been generated and sent (playback finishes later, as its marks come back).
   */
  private async speak(
    fixedText: string | undefined,
    request:
      | { input: string; history: ConversationTurn[]; endOfSpeechAt: number; transcriptMs?: number }
      | undefined,
  ): Promise<void> {
    if (this.closed) return;
    // A reply still playing (its audio is queued ahead of this one) is complete as far as we are concerned.
    if (this.response) this.finishResponse(this.response, false);
    const response: Response = {
      controller: new AbortController(),
      text: '',
      sentences: new Map(),
      heard: [],
      generationDone: false,
      endOfSpeechAt: request?.endOfSpeechAt,
      latency:
        request?.transcriptMs === undefined
          ? {}
          : { endOfSpeechToFinalTranscriptMs: request.transcriptMs },
    };
    this.response = response;
    this.state = 'speaking';
    const signal = response.controller.signal;
    const splitter = new SentenceSplitter();
    try {
      if (fixedText) {
        for (const sentence of [...splitter.push(`${fixedText} `), splitter.flush()]) {
          if (sentence && !signal.aborted) await this.speakSentence(response, sentence);
        }
      } else if (request) {
        for await (const delta of this.providers.responder.respond({
          agent: this.context.agent,
          history: request.history,
          callerInput: request.input,
          signal,
        })) {
          if (signal.aborted) break;
          this.mark(response, 'toFirstLlmTokenMs', 'first_token');
          this.emit({ type: 'agent.text_delta', text: delta });
          for (const sentence of splitter.push(delta)) await this.speakSentence(response, sentence);
        }
        const rest = splitter.flush();
        if (rest && !signal.aborted) await this.speakSentence(response, rest);
      }
    } catch (error) {
      if (signal.aborted) return;
      await this.recordAgentTurnEnd(response, false, {
        error: (error as { code?: string }).code ?? 'PROVIDER_FAILURE',
      });
      this.response = undefined;
      await this.apologise('agent', error);
      return;
    }
    if (signal.aborted) return;
    response.generationDone = true;
    if (response.text) this.history.push({ role: 'agent', text: response.text });
    // Nothing left to play (or no marks): the turn is over now; otherwise when the last mark comes back.
    if (!response.lastMark || response.heard.length === response.sentences.size)
      this.finishResponse(response, false);
  }

  private async speakSentence(response: Response, sentence: string): Promise<void> {
    const signal = response.controller.signal;
    let first = true;
    for await (const audio of this.providers.tts.synthesize(sentence, {
      voice: this.context.agent?.voice,
      language: this.context.agent?.language,
      signal,
    })) {
      if (signal.aborted) return;
      if (first) {
        first = false;
        this.mark(response, 'toFirstTtsAudioMs', 'first_audio');
        if (!response.turn) {
          response.turn = await this.sink.recordTurn({
            role: 'agent',
            text: null,
            startedAt: new Date(),
            endedAt: null,
            latency: {},
            sentiment: null,
            interrupted: false,
            metadata: { tts: this.providers.tts.name },
          });
          // The caller may have barged in while the turn was being written: nothing more may play.
          if (signal.aborted) {
            await this.recordAgentTurnEnd(response, true);
            return;
          }
        }
      }
      this.sink.play(audio);
      this.emit({ type: 'agent.audio', bytes: audio.length });
      this.mark(response, 'toFirstAudioSentMs', 'first_frame');
    }
    if (signal.aborted) return;
    const markName = `${this.context.callId.slice(0, 8)}:${++this.markSequence}`;
    response.sentences.set(markName, sentence);
    response.lastMark = markName;
    response.text = response.text ? `${response.text} ${sentence}` : sentence;
    this.sink.play(Buffer.alloc(0), markName);
  }

  private mark(response: Response, field: keyof Response['latency'], stage: string): void {
    if (response.endOfSpeechAt === undefined || response.latency[field] !== undefined) return;
    const ms = Date.now() - response.endOfSpeechAt;
    response.latency[field] = ms;
    this.providers.latency.observe({ stage }, ms / 1000);
  }

  private interrupt(reason: 'barge_in' | 'dtmf'): void {
    const response = this.response;
    if (!response) return;
    this.sink.clear();
    response.controller.abort();
    this.emit({ type: 'agent.interrupted', heard: response.heard.join(' '), reason });
    this.track(
      this.sink.recordEvent('agent.interrupted', {
        reason,
        heard: response.heard.length,
        sentences: response.sentences.size,
      }),
    );
    this.finishResponse(response, true);
  }

  private finishResponse(response: Response, interrupted: boolean): void {
    if (this.response !== response) return;
    this.response = undefined;
    this.state = 'listening';
    this.track(this.recordAgentTurnEnd(response, interrupted));
    // The turn limit ends the call even if the caller talked over the goodbye.
    if (this.ending) this.sink.hangup('max_turns');
  }

  private async recordAgentTurnEnd(
    response: Response,
    interrupted: boolean,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    if (!response.turn) return;
    const turn = response.turn;
    response.turn = undefined;
    await this.sink.updateTurn(turn.id, {
      text: interrupted ? response.heard.join(' ') : response.text,
      endedAt: new Date(),
      interrupted,
      latency: response.latency,
      metadata: { ...turn.metadata, ...extra, ...(interrupted && { generated: response.text }) },
    });
  }

  /** A provider failed mid-call: the caller hears a short apology and the call goes on. */
  private async apologise(stage: string, error: unknown): Promise<void> {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    this.emit({ type: 'error', stage, code, message });
    this.logger.warn(`Call ${this.context.callId}: ${stage} failed (${message}); apologising`);
    if (this.settings.apologyAudio) {
      this.sink.play(this.settings.apologyAudio, `${this.context.callId.slice(0, 8)}:apology`);
    }
    this.state = 'listening';
    await this.sink
      .recordEvent('pipeline.provider_failure', { stage, code, message })
      .catch((writeError: unknown) =>
        this.logger.warn(
          `Call ${this.context.callId}: could not record the failure: ${(writeError as Error).message}`,
        ),
      );
  }
}
