import { Body, Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AllowApiKey, CurrentTenant, Roles } from '../../../common/auth/auth.decorators';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { AgentChatService, ChatReply } from './agent-chat.service';
import { ChatRequestDto } from './dto/chat.dto';

@ApiTags('agents')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/agents/:id/chat')
export class AgentChatController {
  constructor(private readonly chat: AgentChatService) {}

  /**
   * Talks to the agent as a caller would, without a phone: same prompt, tools and memory. For streaming, open
   * the WebSocket `/api/v1/agents/:id/chat/stream`.
   */
  @Post()
  @HttpCode(HttpStatus.OK)
  @Roles('owner', 'admin', 'member')
  @AllowApiKey('agents:write')
  send(
    @CurrentTenant() actor: TenantPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChatRequestDto,
  ): Promise<ChatReply> {
    return this.chat.chat(actor.organizationId, id, body);
  }
}
