import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type WebSocket from 'ws';
import { CallSessionManager } from '../session/call-session.manager';
import { MEDIA_STREAM_PATH } from './twilio-voice.service';

/** `WS /telephony/twilio/media`: Twilio connects here after the voice webhook's `<Connect><Stream>`. */
@WebSocketGateway({ path: MEDIA_STREAM_PATH })
export class TwilioMediaGateway implements OnGatewayConnection {
  constructor(private readonly sessions: CallSessionManager) {}

  handleConnection(socket: WebSocket): void {
    this.sessions.open(socket);
  }
}
