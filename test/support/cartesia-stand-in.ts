import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeMulaw } from '../../src/modules/voice/audio/mulaw';

/**
 * Cartesia's bytes API on loopback: `POST /tts/bytes` with `X-API-Key` and `Cartesia-Version`, a JSON body
 * naming the model, transcript, voice and output format, answered with the raw audio bytes (here 8 kHz
 * mu-law, one second per request), or with scripted failures.
 */
export class CartesiaStandIn {
  readonly requests: {
    headers: Record<string, string | string[] | undefined>;
    body: Record<string, unknown>;
  }[] = [];
  readonly failNext: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
            string,
            unknown
          >,
        });
        const failure = this.failNext.shift();
        if (failure) {
          response.writeHead(failure, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: `stand-in failure ${failure}` }));
          return;
        }
        const tone = Int16Array.from({ length: 8000 }, (_, i) =>
          Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / 8000)),
        );
        const audio = encodeMulaw(tone);
        response.writeHead(200, { 'content-type': 'audio/basic' });
        for (let offset = 0; offset < audio.length; offset += 1600)
          response.write(audio.subarray(offset, offset + 1600));
        response.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
