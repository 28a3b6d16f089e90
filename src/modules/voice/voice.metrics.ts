import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const PROVIDER_FALLBACKS = 'switchboard_provider_fallbacks_total';

export const voiceMetricProviders = [
  makeCounterProvider({
    name: PROVIDER_FALLBACKS,
    help: 'Switches to the next provider of a fallback chain, by kind (tts, stt) and providers.',
    labelNames: ['kind', 'from', 'to'],
  }),
];
