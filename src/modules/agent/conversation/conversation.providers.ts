import { Logger, type Provider } from '@nestjs/common';
import { openAiClient } from '../../../common/providers/openai-client';
import { ResilienceFactory } from '../../../common/resilience/resilience.factory';
import { AppConfig } from '../../../config/app-config';
import { OpenAiChatResponder } from './openai-chat-responder';
import type { ConversationResponder } from './conversation-responder';

/** Injection token of the optional conversation model: null when LLM_PROVIDER=none. */
export const CONVERSATION_RESPONDER = Symbol('CONVERSATION_RESPONDER');

export const conversationProviders: Provider[] = [
  {
    provide: CONVERSATION_RESPONDER,
    inject: [AppConfig, ResilienceFactory],
    useFactory: (
      config: AppConfig,
      resilience: ResilienceFactory,
    ): ConversationResponder | null => {
      if (config.speech.llmProvider !== 'openai') return null;
      const client = openAiClient(config);
      if (!client) {
        new Logger('Conversation').warn(
          'LLM_PROVIDER=openai but OPENAI_API_KEY is not set: the agent cannot answer',
        );
        return null;
      }
      return new OpenAiChatResponder(
        client,
        config.speech.chatModel,
        resilience.create('openai-chat'),
      );
    },
  },
];
