import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { AllowApiKey } from '../../../common/auth/auth.decorators';
import type { AuthenticatedRequest, TenantPrincipal } from '../../../common/auth/principal';
import { DomainError, ForbiddenError, ValidationError } from '../../../common/errors/domain-error';
import { AuthenticationGuard } from '../../../common/guards/authentication.guard';
import { UUID_PATTERN } from '../../../common/validation/patterns';
import { matchPath } from '../../../common/websockets/routed-ws-adapter';
import { AppConfig } from '../../../config/app-config';
import { AgentErrors } from '../agent.errors';
import type { AgentConversation } from '../conversation/agent-conversation';
import { AgentChatService } from './agent-chat.service';

export const CHAT_STREAM_PATH = '/api/v1/agents/:id/chat/stream';
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Past this the socket closes (1009) without reading further; up to it, a long message gets a JSON error. */
const MAX_FRAME_BYTES = 4 * MAX_MESSAGE_BYTES;
/** Messages kept while the session opens (authentication, loading the agent). */
const MAX_EARLY_MESSAGES = 8;
const IDLE_TIMEOUT_MS = 10 * 60_000;

type Outgoing = Record<string, unknown> & { type: string };

/**
 * `WS /api/v1/agents/:id/chat/stream?customerId=&variantId=`: a chat with the agent that streams text deltas
 * and tool events as they happen. Authenticated like the REST API (`Authorization: Bearer <jwt or sk_ key>`,
 * or `?access_token=` where a browser cannot set headers). Send `{"type":"message","text":"..."}`; each reply
 * ends with `{"type":"done"}`. Closing the socket ends the conversation (a customer's summary is kept).
 */
@WebSocketGateway({ path: CHAT_STREAM_PATH, maxPayload: MAX_FRAME_BYTES })
export class AgentChatGateway implements OnGatewayConnection {
  private readonly logger = new Logger('AgentChat');
  private readonly guard: AuthenticationGuard;

  constructor(
    reflector: Reflector,
    config: AppConfig,
    private readonly chat: AgentChatService,
  ) {
    this.guard = new AuthenticationGuard(reflector, config);
  }

  @AllowApiKey('agents:write')
  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    // Messages that arrive while the session opens are kept, in order.
    const early: Buffer[] = [];
    const keep = (data: Buffer) => {
      if (early.length < MAX_EARLY_MESSAGES) early.push(data);
      else socket.close(1008, 'TOO_MANY_EARLY_MESSAGES');
    };
    socket.on('message', keep);
    const send = (message: Outgoing) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    let conversation: AgentConversation;
    try {
      const url = new URL(request.url ?? '/', 'ws://localhost');
      const agentId = matchPath(CHAT_STREAM_PATH, url.pathname)?.id ?? '';
      if (!UUID_PATTERN.test(agentId)) throw AgentErrors.agentNotFound();
      const principal = await this.authenticate(request, url);
      const options = {
        customerId: url.searchParams.get('customerId') ?? undefined,
        variantId: url.searchParams.get('variantId') ?? undefined,
      };
      for (const [name, value] of Object.entries(options)) {
        if (value !== undefined && !UUID_PATTERN.test(value)) {
          throw new ValidationError(`${name} must be a UUID`);
        }
      }
      conversation = await this.chat.open(principal.organizationId, agentId, options);
      send({ type: 'ready', agentId, variantId: conversation.settings.variantId });
    } catch (error) {
      const { code, message } = describe(error);
      send({ type: 'error', code, message });
      socket.close(1008, code);
      return;
    }
    socket.off('message', keep);

    let queue = Promise.resolve();
    let idle = setTimeout(() => socket.close(1000, 'idle'), IDLE_TIMEOUT_MS);
    const onMessage = (data: Buffer) => {
      clearTimeout(idle);
      idle = setTimeout(() => socket.close(1000, 'idle'), IDLE_TIMEOUT_MS);
      queue = queue.then(() => this.onMessage(data, conversation, send));
    };
    const end = () => {
      clearTimeout(idle);
      void queue
        .then(() =>
          conversation.end({ reason: 'chat_closed', completed: true, averageSentiment: null }),
        )
        .catch((error: unknown) =>
          this.logger.warn(`Could not end a chat session: ${String(error)}`),
        );
    };
    // Closed while the session opened (by the client, or for sending too much meanwhile): no 'close' will come.
    if (socket.readyState !== socket.OPEN) return end();
    socket.on('message', onMessage);
    for (const data of early) onMessage(data);
    socket.on('close', end);
  }

  private async onMessage(
    data: Buffer,
    conversation: AgentConversation,
    send: (message: Outgoing) => void,
  ) {
    if (data.length > MAX_MESSAGE_BYTES) {
      return send({
        type: 'error',
        code: 'MESSAGE_TOO_LARGE',
        message: `Messages are limited to ${MAX_MESSAGE_BYTES} bytes`,
      });
    }
    let message: { type?: unknown; text?: unknown };
    try {
      message = JSON.parse(data.toString('utf8')) as typeof message;
    } catch {
      return send({ type: 'error', code: 'INVALID_MESSAGE', message: 'Messages must be JSON' });
    }
    if (message.type !== 'message' || typeof message.text !== 'string') {
      return send({
        type: 'error',
        code: 'INVALID_MESSAGE',
        message: 'Send {"type":"message","text":"..."}',
      });
    }
    let reply = '';
    try {
      for await (const event of conversation.reply(message.text)) {
        if (event.type === 'text') {
          reply += event.text;
          send({ type: 'text_delta', text: event.text });
        } else {
          send(event);
        }
      }
      send({ type: 'done', text: reply.trim() });
    } catch (error) {
      const { code, message: text } = describe(error);
      if (!(error instanceof DomainError))
        this.logger.error(error instanceof Error ? error : String(error));
      send({ type: 'error', code, message: text });
    }
  }

  /** The REST API's own guard, run on the upgrade request; chat changes memory, so viewers may not. */
  private async authenticate(request: IncomingMessage, url: URL): Promise<TenantPrincipal> {
    const token = url.searchParams.get('access_token');
    if (token && !request.headers.authorization) request.headers.authorization = `Bearer ${token}`;
    // The guard reads the route's metadata (@AllowApiKey) from the handler: this gateway's decorated method.
    const handler = Object.getOwnPropertyDescriptor(AgentChatGateway.prototype, 'handleConnection')!
      .value as () => void;
    const context = new ExecutionContextHost([request, {}], AgentChatGateway, handler);
    context.setType('http');
    await this.guard.canActivate(context);
    const principal = (request as unknown as AuthenticatedRequest).user;
    if (!principal || principal.kind === 'operator') {
      throw new ForbiddenError('This stream needs a user or API key of an organization');
    }
    if (principal.kind === 'user' && principal.role === 'viewer') {
      throw new ForbiddenError('Requires the role owner or admin or member', 'AUTH_ROLE_REQUIRED');
    }
    return principal;
  }
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof DomainError) return { code: error.code, message: error.publicMessage };
  return { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' };
}
