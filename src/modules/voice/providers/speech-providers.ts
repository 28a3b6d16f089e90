import { Logger, type Provider } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { openAiClient } from '../../../common/providers/openai-client';
import { ResilienceFactory } from '../../../common/resilience/resilience.factory';
import { AppConfig } from '../../../config/app-config';
import { PROVIDER_FALLBACKS } from '../voice.metrics';
import { LexiconSentimentAnalyzer } from '../sentiment/lexicon-sentiment';
import { LlmSentimentAnalyzer } from '../sentiment/llm-sentiment';
import type { SentimentAnalyzer } from '../sentiment/sentiment';
import { DeepgramSpeechToText } from './stt/deepgram-speech-to-text';
import { OpenAiSpeechToText } from './stt/openai-speech-to-text';
import { SpeechToText } from './stt/speech-to-text';
import { CartesiaTextToSpeech } from './tts/cartesia-text-to-speech';
import { EspeakTextToSpeech } from './tts/espeak-text-to-speech';
import { OpenAiTextToSpeech } from './tts/openai-text-to-speech';
import { TextToSpeech } from './tts/text-to-speech';
import { TextToSpeechChain } from './tts/text-to-speech-chain';

/** Every speech-to-text this process can use, and the default one (null when STT_PROVIDER=none). */
export class SpeechToTextCatalog {
  constructor(
    readonly preferred: SpeechToText | null,
    private readonly available: ReadonlyMap<string, SpeechToText>,
  ) {}

  /** An agent's own choice when it can run here, else the default. */
  for(name: string | null | undefined): SpeechToText | null {
    return (name ? this.available.get(name) : undefined) ?? this.preferred;
  }
}

/** Injection token of the default speech-to-text: null when STT_PROVIDER=none. */
export const SPEECH_TO_TEXT = Symbol('SPEECH_TO_TEXT');
/** Injection token of the sentiment analyzer (always bound: the lexicon needs nothing). */
export const SENTIMENT = Symbol('SENTIMENT');
/** Injection token of the text-to-speech chain: null when no provider can run here. */
export const TEXT_TO_SPEECH = Symbol('TEXT_TO_SPEECH');

/** Binds the speech ports from configuration, each provider behind its resilience policy. */
export const speechProviders: Provider[] = [
  {
    provide: TEXT_TO_SPEECH,
    inject: [AppConfig, ResilienceFactory, getToken(PROVIDER_FALLBACKS)],
    useFactory: (
      config: AppConfig,
      resilience: ResilienceFactory,
      fallbacks: Counter<string>,
    ): TextToSpeech | null => {
      const logger = new Logger('TextToSpeech');
      const available: TextToSpeech[] = [];
      const { cartesia } = config.speech;
      if (cartesia.apiKey) {
        available.push(
          new CartesiaTextToSpeech(
            cartesia.baseUrl,
            cartesia.apiKey,
            cartesia.model,
            cartesia.voiceId,
            resilience.create('cartesia-tts'),
          ),
        );
      }
      const client = openAiClient(config);
      if (client) {
        available.push(
          new OpenAiTextToSpeech(
            client,
            config.speech.openai.ttsModel,
            config.speech.openai.ttsVoice,
            resilience.create('openai-tts'),
          ),
        );
      }
      const espeak = EspeakTextToSpeech.detect(config.speech.espeakPath);
      if (espeak) available.push(new EspeakTextToSpeech(config.speech.espeakPath));
      else
        logger.warn(
          `Local text-to-speech unavailable: ${config.speech.espeakPath} was not found (install espeak-ng)`,
        );
      // The configured provider first, then the other cloud ones, the local one last.
      const preferred = available.find((provider) => provider.name === config.speech.ttsProvider);
      const ordered = [
        ...(preferred ? [preferred] : []),
        ...available.filter((provider) => provider !== preferred && provider.name !== 'local'),
        ...available.filter((provider) => provider !== preferred && provider.name === 'local'),
      ];
      if (ordered.length === 0) {
        logger.warn('No text-to-speech provider can run: calls will not speak');
        return null;
      }
      logger.log(`Text-to-speech chain: ${ordered.map((provider) => provider.name).join(' → ')}`);
      return ordered.length === 1 ? ordered[0] : new TextToSpeechChain(ordered, fallbacks);
    },
  },
  {
    provide: SENTIMENT,
    inject: [AppConfig, ResilienceFactory],
    useFactory: (config: AppConfig, resilience: ResilienceFactory): SentimentAnalyzer => {
      const lexicon = new LexiconSentimentAnalyzer();
      const client = config.speech.sentimentProvider === 'llm' ? openAiClient(config) : undefined;
      if (!client) return lexicon;
      return new LlmSentimentAnalyzer(
        client,
        config.agent.chatModel,
        resilience.create('openai-sentiment'),
        lexicon,
      );
    },
  },
  {
    provide: SpeechToTextCatalog,
    inject: [AppConfig, ResilienceFactory],
    useFactory: (config: AppConfig, resilience: ResilienceFactory): SpeechToTextCatalog => {
      const logger = new Logger('SpeechToText');
      const available = new Map<string, SpeechToText>();
      const { apiKey, url, model } = config.speech.deepgram;
      if (apiKey) {
        available.set(
          'deepgram',
          new DeepgramSpeechToText(
            url,
            apiKey,
            model,
            resilience.create('deepgram', { timeoutMs: 5_000 }),
          ),
        );
      }
      const client = openAiClient(config);
      if (client) {
        available.set(
          'openai',
          new OpenAiSpeechToText(
            client,
            config.speech.openai.sttModel,
            resilience.create('openai-stt'),
          ),
        );
      }
      const provider = config.speech.sttProvider;
      if (provider !== 'none' && !available.has(provider)) {
        logger.warn(
          `STT_PROVIDER=${provider} but its credentials are not set: no speech-to-text by default`,
        );
      }
      return new SpeechToTextCatalog(
        provider === 'none' ? null : (available.get(provider) ?? null),
        available,
      );
    },
  },
  {
    provide: SPEECH_TO_TEXT,
    inject: [SpeechToTextCatalog],
    useFactory: (catalog: SpeechToTextCatalog) => catalog.preferred,
  },
];
