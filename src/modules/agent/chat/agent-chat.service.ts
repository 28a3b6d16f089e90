import { Injectable } from '@nestjs/common';
import { CustomerMemoryService } from '../../memory/customer-memory/customer-memory.service';
import { AgentsService } from '../agents/agents.service';
import type { AgentEvent } from '../conversation/agent-event';
import type { AgentConversation } from '../conversation/agent-conversation';
import { AgentRuntime } from '../conversation/agent-runtime';
import type { ChatRequestDto, ChatSessionOptionsDto } from './dto/chat.dto';

export interface ChatReply {
  reply: string;
  /** Tool calls and results, actions and fallbacks, in order (text arrives as `reply`). */
  events: Exclude<AgentEvent, { type: 'text' }>[];
  /** Who answered: the configured model, or `local` when it fell back. */
  answeredBy: string;
}

/** Chat testing: the same agent, tools and memory as a phone call, without a phone. */
@Injectable()
export class AgentChatService {
  constructor(
    private readonly agents: AgentsService,
    private readonly runtime: AgentRuntime,
    private readonly memory: CustomerMemoryService,
  ) {}

  async open(
    organizationId: string,
    agentId: string,
    options: ChatSessionOptionsDto,
  ): Promise<AgentConversation> {
    const profile = await this.agents.profileForChat(organizationId, agentId, options.variantId);
    if (options.customerId) await this.memory.assertCustomer(organizationId, options.customerId);
    return this.runtime.open({
      organizationId,
      agent: profile.agent,
      customerId: options.customerId ?? null,
      callId: null,
      variantId: profile.variant?.id ?? null,
      channel: 'chat',
    });
  }

  /** One stateless exchange: the client sends the history it has. */
  async chat(organizationId: string, agentId: string, request: ChatRequestDto): Promise<ChatReply> {
    const conversation = await this.open(organizationId, agentId, request);
    for (const turn of request.history ?? []) {
      conversation.messages.push({
        role: turn.role === 'caller' ? 'user' : 'assistant',
        content: turn.text,
      });
    }
    let reply = '';
    const events: ChatReply['events'] = [];
    let answeredBy = this.runtime.modelName;
    for await (const event of conversation.reply(request.message)) {
      if (event.type === 'text') reply += event.text;
      else events.push(event);
      if (event.type === 'fallback') answeredBy = 'local';
    }
    return { reply: reply.trim(), events, answeredBy };
  }
}
