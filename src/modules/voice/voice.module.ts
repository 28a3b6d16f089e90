import { Module } from '@nestjs/common';
import { AgentModule } from '../agent/agent.module';
import { ConversationPipelineFactory } from './pipeline/conversation-pipeline.factory';
import { VoiceEvents } from './pipeline/voice-events';
import {
  SENTIMENT,
  SPEECH_TO_TEXT,
  speechProviders,
  SpeechToTextCatalog,
  TEXT_TO_SPEECH,
} from './providers/speech-providers';
import { voiceMetricProviders } from './voice.metrics';

/** Speech providers and the conversation pipeline that fills telephony's VoicePipeline port. */
@Module({
  imports: [AgentModule],
  providers: [
    ...voiceMetricProviders,
    ...speechProviders,
    ConversationPipelineFactory,
    VoiceEvents,
  ],
  exports: [
    SPEECH_TO_TEXT,
    SpeechToTextCatalog,
    TEXT_TO_SPEECH,
    SENTIMENT,
    ConversationPipelineFactory,
    VoiceEvents,
  ],
})
export class VoiceModule {}
