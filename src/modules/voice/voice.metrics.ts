import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';

export const PROVIDER_FALLBACKS = 'switchboard_provider_fallbacks_total';
export const TURN_LATENCY = 'switchboard_turn_latency_seconds';

export const voiceMetricProviders = [
  makeCounterProvider({
    name: PROVIDER_FALLBACKS,
    help: 'Switches to the next provider of a fallback chain, by kind (tts, stt) and providers.',
    labelNames: ['kind', 'from', 'to'],
  }),
  makeHistogramProvider({
    name: TURN_LATENCY,
    help: 'From the end of caller speech to: the final transcript, the first LLM token, the first TTS audio, the first frame sent.',
    labelNames: ['stage'],
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5],
  }),
];
