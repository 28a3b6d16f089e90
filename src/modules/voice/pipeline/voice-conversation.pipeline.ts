import { Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import type { Histogram } from 'prom-client';
import type { AgentConversation } from '../../agent/conversation/agent-conversation';
import type { AgentEvent } from '../../agent/conversation/agent-event';
import type { CallAction } from '../../agent/tools/agent-tool';
import type { CallTurn } from '../../telephony/calls/call-turn.entity';
import type {
  CallAudioSink,
  CallContext,
  VoicePipeline,
} from '../../telephony/session/voice-pipeline';
import type { SpeechToText, SpeechToTextStream } from '../providers/stt/speech-to-text';
import type { SentimentAnalyzer } from '../sentiment/sentiment';
import type { TextToSpeech } from '../providers/tts/text-to-speech';
import { ByteAccumulator } from '../audio/byte-accumulator';
import { EndpointerOptions, Endpointer } from '../turns/endpointer';
import { SentenceSplitter } from './sentence-splitter';
import { SilenceWatchdog } from './silence-watchdog';
import type { VoiceEvent, VoiceEvents } from './voice-events';

const PRE_ROLL_BYTES = 1600; // 200 ms of 8 kHz mu-law
/** How long a caller's turn waits for its sentiment before it is stored without (and updated later). */
const SENTIMENT_WITH_TURN_MS = 50;

// How a call can end with the conversation having run its course (not failed, cut off or handed over).
const COMPLETED_REASONS = new Set(['stream_stopped', 'agent_end_call', 'max_turns']);

/** The promise's value if it settles within `ms`, otherwise (or if it fails) undefined; never rejects. */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
  ]).finally(() => clearTimeout(timer));
}

export type PipelineState = 'listening' | 'thinking' | 'speaking';

export interface PipelineSettings {
  endpointer: EndpointerOptions;
  bargeInMinSpeechMs: number;
  /** Pre-synthesized "sorry, could you repeat" for provider outages (undefined: no TTS could make it). */
  apologyAudio: Buffer | undefined;
  /** Pre-synthesized "one moment" played when the caller would otherwise hear silence too long. */
  fillerAudio: Buffer | undefined;
  silenceFillerMs: number;
  goodbye: string;
}

export interface PipelineProviders {
  stt: SpeechToText;
  tts: TextToSpeech;
  /** Opens the agent conversation of this call (memories, advice); called once, when the stream starts. */
  openConversation: () => Promise<AgentConversation>;
  sentiment: SentimentAnalyzer;
  latency: Histogram<string>;
  events: VoiceEvents;
}

interface Response {
  controller: AbortController;
  /** The agent turn's row, being written beside the reply's first audio (undefined if the write failed). */
  turn?: Promise<CallTurn | undefined>;
  text: string;
  /** Sentences by mark name, and those the caller has heard (their marks came back). */
  sentences: Map<string, string>;
  heard: string[];
  lastMark?: string;
  generationDone: boolean;
  /** What the call does once this reply has been heard (a tool asked: end the call, transfer). */
  action?: CallAction;
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
  private conversation!: Promise<AgentConversation>;
  private readonly watchdog: SilenceWatchdog;
  private sentimentTotal = 0;
  private sentimentCount = 0;
  private callerTurns = 0;
  private closed = false;
  private ending = false;
  private markSequence = 0;
  private lastSpeechMs = 0;
  // The endpointer notices speech a frame or two late: recent audio is replayed into a new transcription.
  private readonly preRoll = new ByteAccumulator(PRE_ROLL_BYTES, PRE_ROLL_BYTES);
  private work: Promise<void> = Promise.resolve();
  // Turn rows are numbered as they are inserted: writes queue here so they land in the order they happened,
  // while the conversation goes on without waiting for them.
  private turnWrites: Promise<unknown> = Promise.resolve();

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
    this.watchdog = new SilenceWatchdog(settings.silenceFillerMs, () => this.playFiller());
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
    this.conversation = this.providers.openConversation();
    // The model should know what it already said; registered first, so before any reply reads the history.
    this.conversation.then(
      (conversation) => {
        if (greeting) conversation.messages.push({ role: 'assistant', content: greeting });
      },
      (error: unknown) =>
        this.logger.error(
          `Call ${this.context.callId}: could not open the agent: ${String(error)}`,
        ),
    );
    if (greeting) this.enqueue(() => this.speak(greeting, undefined));
    await Promise.resolve();
  }

  onAudio(frame: Buffer): void {
    if (this.closed) return;
    this.preRoll.append(frame);
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
    // After close() the reply's end is already stored as interrupted: a late mark must not write it again.
    if (this.closed) return;
    const response = this.response;
    if (!response) return;
    const sentence = response.sentences.get(name);
    if (sentence !== undefined) response.heard.push(sentence);
    if (response.generationDone && name === response.lastMark) this.finishResponse(response, false);
  }

  async close(reason = 'closed'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.stop();
    this.response?.controller.abort();
    this.stt?.close();
    await this.work.catch(() => undefined);
    await Promise.allSettled([...this.sideWork]);
    if (this.response) await this.recordAgentTurnEnd(this.response, true);
    // Its summary and outcome are queued as a durable job: cheap here, never lost.
    await this.conversation
      ?.then((conversation) =>
        conversation.end({
          reason,
          completed: COMPLETED_REASONS.has(reason),
          averageSentiment:
            this.sentimentCount > 0 ? this.sentimentTotal / this.sentimentCount : null,
        }),
      )
      .catch((error: unknown) =>
        this.logger.warn(
          `Call ${this.context.callId}: could not end the conversation: ${String(error)}`,
        ),
      );
  }

  // ---- turn taking ----------------------------------------------------------------------------------

  private onSpeechStart(): void {
    this.stt?.close();
    this.stt = this.providers.stt.open({ language: this.context.agent?.language });
    this.stt.onPartial((text) => this.emit({ type: 'transcript.partial', text }));
    this.stt.push(this.preRoll.copy());
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
    if (this.closed) {
      stream?.close(); // queued behind the call's end: its provider connection must not wait for an idle timeout
      return;
    }
    this.state = 'thinking';
    this.watchdog.start(endOfSpeechAt);
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
      this.watchdog.stop();
      this.state = 'listening';
      return;
    }
    this.callerTurns++;
    const analysis = this.providers.sentiment.analyze(text);
    // The lexicon answers at once, so its score is stored with the turn (one statement, not an insert and an
    // update); a slower analyzer's score is added to the stored turn when it comes.
    const early = settledWithin(analysis, SENTIMENT_WITH_TURN_MS);
    const sentimentBy = this.providers.sentiment.name;
    // Stored while the agent retrieves and thinks: the reply does not wait for the row. Written on the next
    // turn of the event loop: when the turn searches nothing, the reply's request (built in this one) has left
    // by then (a statement sent first put its serialising and the database's wake-up in front of the model's
    // first token); when it searches the caller's memories or the knowledge base, the write runs beside that
    // query.
    const callerTurn = this.recordTurnInOrder(
      Promise.all([early, nextLoopTurn()]).then(([sentiment]) => ({
        role: 'caller' as const,
        text,
        startedAt,
        endedAt: startedAt,
        latency: transcriptMs === undefined ? {} : { endOfSpeechToFinalTranscriptMs: transcriptMs },
        sentiment: sentiment?.score ?? null,
        interrupted: false,
        metadata: {
          ...(stream ? { transcribed: true, stt: this.providers.stt.name } : { source: 'dtmf' }),
          ...(sentiment && { sentiment: sentiment.label, sentimentBy }),
        },
      })),
    );
    this.track(callerTurn);
    // Sentiment runs beside the reply, never in front of it.
    this.track(
      analysis.then(async (sentiment) => {
        this.sentimentTotal += sentiment.score;
        this.sentimentCount++;
        this.emit({ type: 'sentiment', score: sentiment.score, label: sentiment.label });
        if (await early) return;
        // A failed write is already reported where it is tracked: once is enough.
        const turn = await callerTurn.catch(() => undefined);
        if (!turn) return;
        return this.sink.updateTurn(turn.id, {
          sentiment: sentiment.score,
          metadata: { ...turn.metadata, sentiment: sentiment.label, sentimentBy },
        });
      }),
    );
    if (this.callerTurns >= this.context.maxTurns) {
      this.watchdog.stop();
      this.ending = true;
      await this.speak(this.settings.goodbye, undefined);
      return;
    }
    await this.speak(undefined, { input: text, endOfSpeechAt, transcriptMs });
  }

  /**
   * Speaks fixed text, or streams the responder's reply to `request`, sentence by sentence. Resolves when
   * everything has been generated and sent (playback finishes later, as its marks come back).
   */
  private async speak(
    fixedText: string | undefined,
    request: { input: string; endOfSpeechAt: number; transcriptMs?: number } | undefined,
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
    // Every sentence's synthesis listens to the reply's signal: a long reply has many.
    setMaxListeners(100, response.controller.signal);
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
        const conversation = await this.conversation;
        for await (const event of conversation.reply(request.input, { signal })) {
          // A tool that ran (or was cut off by the caller's barge-in) is stored all the same: what it did, it
          // did, and the call's record must show it.
          if (event.type === 'tool_result') {
            await this.recordToolTurn(event);
            // Its call action (a transfer, a hang-up) is dropped with the reply: the caller did not hear it.
            if (signal.aborted) break;
            continue;
          }
          if (signal.aborted) break;
          switch (event.type) {
            case 'text':
              this.mark(response, 'toFirstLlmTokenMs', 'first_token');
              this.emit({ type: 'agent.text_delta', text: event.text });
              for (const sentence of splitter.push(event.text)) {
                await this.speakSentence(response, sentence);
              }
              break;
            case 'tool_call':
              // What was said before the tool runs is heard now, not after it.
              for (const sentence of [splitter.flush()]) {
                if (sentence) await this.speakSentence(response, sentence);
              }
              this.emit({ type: 'agent.tool_call', name: event.name, arguments: event.arguments });
              break;
            case 'action':
              response.action = event.action;
              break;
            case 'fallback':
              this.track(
                this.sink.recordEvent('agent.llm_fallback', {
                  from: event.from,
                  reason: event.reason,
                }),
              );
              break;
          }
        }
        const rest = splitter.flush();
        if (rest && !signal.aborted) await this.speakSentence(response, rest);
      }
    } catch (error) {
      this.watchdog.stop();
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
    this.watchdog.stop();
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
          // Written beside the first audio, not in front of it: the caller hears the reply a round trip sooner.
          response.turn = this.recordTurnInOrder({
            role: 'agent',
            text: null,
            startedAt: new Date(),
            endedAt: null,
            latency: {},
            sentiment: null,
            interrupted: false,
            metadata: { tts: this.providers.tts.name },
          }).catch((error: unknown) => {
            this.logger.warn(
              `Call ${this.context.callId}: could not store the agent's turn: ${(error as Error).message}`,
            );
            return undefined;
          });
        }
      }
      this.sink.play(audio);
      // 8 kHz mu-law: 8 bytes a millisecond.
      this.watchdog.audioQueued(audio.length / 8);
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
    this.watchdog.stop();
    this.sink.clear();
    response.controller.abort();
    if (response.endOfSpeechAt !== undefined) {
      // A conversation that failed to open was reported where it failed.
      this.conversation.then(
        (conversation) => conversation.noteInterrupted(response.heard.join(' ')),
        () => undefined,
      );
    }
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
    else if (response.action && !interrupted) this.carryOut(response.action);
  }

  /** A tool's request on the call, once the reply announcing it has been heard. */
  private carryOut(action: CallAction): void {
    if (action.kind === 'end_call') {
      this.sink.hangup('agent_end_call');
      return;
    }
    this.track(
      this.sink.transfer(action.to).catch(async (error: unknown) => {
        const code = (error as { code?: string }).code ?? 'TRANSFER_FAILED';
        await this.recordTurnInOrder({
          role: 'tool',
          text: `transfer_to_human failed: ${(error as Error).message}`,
          startedAt: new Date(),
          endedAt: new Date(),
          latency: {},
          sentiment: null,
          interrupted: false,
          metadata: { tool: 'transfer_to_human', ok: false, errorCode: code, to: action.to },
        });
        this.enqueue(() =>
          this.speak("I'm sorry, I couldn't connect you to a colleague just now.", undefined),
        );
      }),
    );
  }

  /** Stores a turn after every turn before it (its index is assigned on insert). */
  private recordTurnInOrder(
    turn:
      | Parameters<CallAudioSink['recordTurn']>[0]
      | Promise<Parameters<CallAudioSink['recordTurn']>[0]>,
  ): Promise<CallTurn> {
    const written = this.turnWrites.then(async () => this.sink.recordTurn(await turn));
    this.turnWrites = written.catch(() => undefined);
    return written;
  }

  /** A tool call's outcome, as a `tool` turn between the caller's turn and the agent's. */
  private async recordToolTurn(event: Extract<AgentEvent, { type: 'tool_result' }>): Promise<void> {
    const now = new Date();
    await this.recordTurnInOrder({
      role: 'tool',
      text: event.ok ? `${event.name}: ${event.result}` : `${event.name} failed: ${event.message}`,
      startedAt: new Date(now.getTime() - event.durationMs),
      endedAt: now,
      latency: {},
      sentiment: null,
      interrupted: false,
      metadata: {
        tool: event.name,
        callId: event.id,
        ok: event.ok,
        durationMs: event.durationMs,
        ...(event.ok ? {} : { errorCode: event.code }),
      },
    });
  }

  /** The silence watchdog fired: "one moment" so the caller knows we are still here. */
  private playFiller(): number {
    if (this.closed || this.state === 'listening' || !this.settings.fillerAudio) return 0;
    this.sink.play(this.settings.fillerAudio, `${this.context.callId.slice(0, 8)}:filler`);
    this.emit({ type: 'agent.filler' });
    this.track(this.sink.recordEvent('agent.filler', { afterMs: this.settings.silenceFillerMs }));
    return this.settings.fillerAudio.length / 8;
  }

  private async recordAgentTurnEnd(
    response: Response,
    interrupted: boolean,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    if (!response.turn) return;
    const turn = await response.turn;
    response.turn = undefined;
    if (!turn) return;
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
    this.watchdog.stop();
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
