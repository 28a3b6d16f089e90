import { Module } from '@nestjs/common';
import {
  CONVERSATION_RESPONDER,
  conversationProviders,
} from '../conversation/conversation.providers';
import { AgentsRepository } from './agents.repository';

/** Agent configuration and the conversation model; the Agent module's REST API and tools build on it. */
@Module({
  providers: [AgentsRepository, ...conversationProviders],
  exports: [AgentsRepository, CONVERSATION_RESPONDER],
})
export class AgentsModule {}
