import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderLatencies {
  /** Until the transcription answers. */
  sttMs: number;
  /** Until the first chat token. */
  llmMs: number;
  /** Until the first speech bytes. */
  ttsMs: number;
  /**
   * Keep the latencies to the sub-millisecond: timers fire up to a millisecond or two late, which a benchmark
   * subtracting these latencies would otherwise count as the server's time. Costs the stand-in a short spin.
   */
  precise?: boolean;
}

const REPLY = 'Twelve times thirty four is four hundred and eight.';
const SPEECH = (() => {
  // 0.2 s of a 440 Hz tone, 24 kHz 16-bit PCM, as OpenAI's `pcm` format.
  const samples = 24_000 * 0.2;
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    pcm.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)), i * 2);
  return pcm;
})();

/**
 * OpenAI's speech, transcription and chat endpoints with fixed latencies and nothing recorded, for benchmarks:
 * what the providers cost is known exactly, so what remains is the server's own share.
 */
export class ProviderStandIn {
  private server!: Server;
  url = '';

  constructor(readonly latencies: ProviderLatencies) {}

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const later = (ms: number, work: () => void) => {
          if (!this.latencies.precise) return void setTimeout(work, ms);
          const due = performance.now() + ms;
          const settle = () => (performance.now() >= due ? work() : setImmediate(settle));
          setTimeout(settle, Math.max(0, ms - 2));
        };
        if (request.url === '/v1/audio/transcriptions') {
          return later(this.latencies.sttMs, () => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ text: 'What is twelve times thirty four?' }));
          });
        }
        if (request.url === '/v1/audio/speech') {
          return later(this.latencies.ttsMs, () => {
            response.writeHead(200, { 'content-type': 'application/octet-stream' });
            response.end(SPEECH);
          });
        }
        if (request.url === '/v1/chat/completions') {
          return later(this.latencies.llmMs, () => {
            response.writeHead(200, { 'content-type': 'text/event-stream' });
            const chunk = (delta: object, finish: string | null) =>
              `data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', created: 0, model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
            response.end(
              chunk({ role: 'assistant', content: REPLY }, null) +
                chunk({}, 'stop') +
                'data: [DONE]\n\n',
            );
          });
        }
        response.writeHead(404).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The environment that points Switchboard's speech and chat at this stand-in. */
  env(): Record<string, string> {
    return {
      OPENAI_BASE_URL: this.url,
      OPENAI_API_KEY: 'sk-bench',
      STT_PROVIDER: 'openai',
      TTS_PROVIDER: 'openai',
      LLM_PROVIDER: 'openai',
    };
  }
}
