import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CallSessionManager } from '../session/call-session.manager';
import { MEDIA_STREAM_PATH } from './twilio-voice.service';

/**
 * Twilio's largest message, `start` with its custom parameters, is a few KiB; `ws` would otherwise buffer and
 * hand over up to 100 MiB, parsed on the thread that carries every live call's audio, before any token check.
 */
export const MAX_MEDIA_MESSAGE_BYTES = 64 * 1024;

/** `WS /telephony/twilio/media`: Twilio connects here after the voice webhook's `<Connect><Stream>`. */
@WebSocketGateway({ path: MEDIA_STREAM_PATH, maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class TwilioMediaGateway implements OnGatewayConnection {
  constructor(private readonly sessions: CallSessionManager) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // The upgraded request's TCP socket is the one the WebSocket now speaks over.
    this.sessions.open(socket, request.socket);
  }
}
