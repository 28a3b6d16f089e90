import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import { CallSessionManager } from '../session/call-session.manager';
import { MEDIA_STREAM_PATH } from './twilio-voice.service';

/** `WS /telephony/twilio/media`: Twilio connects here after the voice webhook's `<Connect><Stream>`. */
@WebSocketGateway({ path: MEDIA_STREAM_PATH })
export class TwilioMediaGateway implements OnGatewayConnection {
  constructor(private readonly sessions: CallSessionManager) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // The upgraded request's TCP socket is the one the WebSocket now speaks over.
    this.sessions.open(socket, request.socket);
  }
}
