import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { recogniseSharedUtterance } from './openai-stand-in';

/**
 * Deepgram's live API on loopback, in its wire format: a WebSocket at `/v1/listen?encoding=mulaw&...` with
 * `Authorization: Token ...`, binary audio in, `Results` messages out (interim ones while audio arrives, a
 * final one after `{"type":"CloseStream"}`), then `Metadata` and a normal close. Scripted faults: refuse the
 * next handshake with an HTTP status, or drop the connection mid-utterance.
 */
export class DeepgramStandIn {
  readonly connections: { url: string; authorization?: string }[] = [];
  readonly refuseNext: number[] = [];
  dropAfterFrames: number | undefined;
  private http!: Server;
  private wss!: WebSocketServer;
  url = '';

  async start(): Promise<void> {
    this.http = createServer();
    this.wss = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (request: IncomingMessage, socket, head) => {
      const status = this.refuseNext.shift();
      if (status) {
        socket.end(
          `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
        );
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.serve(ws, request));
    });
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `ws://127.0.0.1:${(this.http.address() as AddressInfo).port}/v1/listen`;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private serve(ws: WebSocket, request: IncomingMessage): void {
    this.connections.push({ url: request.url ?? '', authorization: request.headers.authorization });
    const audio: Buffer[] = [];
    const results = (text: string, isFinal: boolean) =>
      JSON.stringify({
        type: 'Results',
        channel_index: [0, 1],
        duration: 0.5,
        start: 0,
        is_final: isFinal,
        speech_final: isFinal,
        channel: { alternatives: [{ transcript: text, confidence: 0.97, words: [] }] },
      });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        audio.push(data as Buffer);
        if (this.dropAfterFrames !== undefined && audio.length >= this.dropAfterFrames) {
          this.dropAfterFrames = undefined;
          ws.close(1011, 'internal error');
          return;
        }
        if (audio.length % 50 === 0) ws.send(results('…', false));
        return;
      }
      const message = JSON.parse((data as Buffer).toString('utf8')) as { type?: string };
      if (message.type === 'CloseStream') {
        ws.send(results(recogniseSharedUtterance(Buffer.concat(audio)), true));
        ws.send(
          JSON.stringify({
            type: 'Metadata',
            request_id: 'stand-in',
            duration: audio.length * 0.02,
          }),
        );
        ws.close(1000);
      }
    });
  }
}
