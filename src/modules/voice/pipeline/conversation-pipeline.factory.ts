import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { AppConfig } from '../../../config/app-config';
import { AgentRuntime } from '../../agent/conversation/agent-runtime';
import { TurnSlotPipelineFactory } from '../../telephony/session/turn-slot-pipeline';
import {
  CallAudioSink,
  CallContext,
  VoicePipeline,
  VoicePipelineFactory,
} from '../../telephony/session/voice-pipeline';
import { SENTIMENT, SpeechToTextCatalog, TEXT_TO_SPEECH } from '../providers/speech-providers';
import { TextToSpeechChain } from '../providers/tts/text-to-speech-chain';
import type { SentimentAnalyzer } from '../sentiment/sentiment';
import type { SpeechToText } from '../providers/stt/speech-to-text';
import type { TextToSpeech } from '../providers/tts/text-to-speech';
import { DEFAULT_ENDPOINTER_OPTIONS, EndpointerOptions } from '../turns/endpointer';
import { TURN_LATENCY } from '../voice.metrics';
import { PipelineSettings, VoiceConversationPipeline } from './voice-conversation.pipeline';
import { VoiceEvents } from './voice-events';

const APOLOGY = "I'm sorry, I'm having trouble on my side. Could you say that again?";
const GOODBYE = 'Thank you for calling. Goodbye.';
const FILLER = 'One moment, please.';

/**
 * Fills telephony's VoicePipeline port: a full conversation when speech-to-text, text-to-speech and a
 * conversation model are configured; otherwise the turn-slot pipeline, which records turns without
 * pretending to understand them.
 */
@Injectable()
export class ConversationPipelineFactory extends VoicePipelineFactory implements OnModuleInit {
  private readonly logger = new Logger('VoicePipeline');
  private readonly fallback: TurnSlotPipelineFactory;
  private readonly endpointer: EndpointerOptions;
  private apologyAudio: Buffer | undefined;
  private fillerAudio: Buffer | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly sttCatalog: SpeechToTextCatalog,
    @Inject(TEXT_TO_SPEECH) private readonly tts: TextToSpeech | null,
    private readonly runtime: AgentRuntime,
    @Inject(SENTIMENT) private readonly sentiment: SentimentAnalyzer,
    @InjectMetric(TURN_LATENCY) private readonly latency: Histogram<string>,
    private readonly events: VoiceEvents,
  ) {
    super();
    this.stt = sttCatalog.preferred;
    const speech = config.speech;
    this.endpointer = {
      ...DEFAULT_ENDPOINTER_OPTIONS,
      detector: speech.vadDetector,
      speechThreshold: speech.vadEnergyThreshold,
      spectral: { snrThresholdDb: speech.vadSnrThresholdDb },
      minSpeechMs: speech.minSpeechMs,
      endSilenceMs: speech.endpointingSilenceMs,
    };
    this.fallback = new TurnSlotPipelineFactory(this.endpointer, tts);
  }

  private readonly stt: SpeechToText | null;

  async onModuleInit(): Promise<void> {
    const missing = [
      !this.stt && 'speech-to-text (STT_PROVIDER)',
      !this.tts && 'text-to-speech',
    ].filter(Boolean);
    if (missing.length > 0) {
      this.logger.warn(
        `Calls are recorded as untranscribed turns until these are configured: ${missing.join(', ')}`,
      );
      return;
    }
    // Pre-synthesized so an outage can still be apologised for, and a silence filled, at once.
    [this.apologyAudio, this.fillerAudio] = await Promise.all([
      this.presynthesize(APOLOGY),
      this.presynthesize(FILLER),
    ]);
    this.logger.log(
      `Voice conversations: ${this.stt!.name} → ${this.runtime.modelName} → ${this.tts!.name}`,
    );
  }

  private async presynthesize(text: string): Promise<Buffer | undefined> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of this.tts!.synthesize(text)) chunks.push(chunk);
      return Buffer.concat(chunks);
    } catch (error) {
      this.logger.warn(`Could not pre-synthesize "${text}": ${(error as Error).message}`);
      return undefined;
    }
  }

  create(context: CallContext, sink: CallAudioSink): VoicePipeline {
    // An agent may pick its own providers among those this process can run.
    const stt = this.sttCatalog.for(context.agent?.sttProvider);
    const tts =
      this.tts instanceof TextToSpeechChain
        ? this.tts.preferring(context.agent?.ttsProvider)
        : this.tts;
    const agent = context.agent;
    if (!stt || !tts || !agent) return this.fallback.create(context, sink);
    const settings: PipelineSettings = {
      endpointer: this.endpointer,
      bargeInMinSpeechMs: this.config.speech.bargeInMinSpeechMs,
      apologyAudio: this.apologyAudio,
      fillerAudio: this.fillerAudio,
      silenceFillerMs: this.config.agent.silenceFillerMs,
      goodbye: GOODBYE,
    };
    return new VoiceConversationPipeline(
      context,
      sink,
      {
        stt,
        tts,
        openConversation: () =>
          this.runtime.open({
            organizationId: context.organizationId,
            agent,
            customerId: context.customerId,
            callId: context.callId,
            variantId: context.variantId,
            channel: 'phone',
          }),
        sentiment: this.sentiment,
        latency: this.latency,
        events: this.events,
      },
      settings,
    );
  }
}
