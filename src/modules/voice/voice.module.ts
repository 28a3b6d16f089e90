import { Module } from '@nestjs/common';
import { SPEECH_TO_TEXT, speechProviders, TEXT_TO_SPEECH } from './providers/speech-providers';
import { voiceMetricProviders } from './voice.metrics';

/** Speech providers (and, as the voice issue lands, the pipeline that fills telephony's VoicePipeline port). */
@Module({
  providers: [...voiceMetricProviders, ...speechProviders],
  exports: [SPEECH_TO_TEXT, TEXT_TO_SPEECH],
})
export class VoiceModule {}
