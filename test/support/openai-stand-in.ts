import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { encodeMulaw } from '../../src/modules/voice/audio/mulaw';
import { resample } from '../../src/modules/voice/audio/resampler';
import { parseWav, pcm16Samples } from '../../src/modules/voice/audio/wav';
import { Endpointer } from '../../src/modules/voice/turns/endpointer';
import { SHARED_AUDIO, sharedAudio } from './twilio';

export type Scripted = number | 'hang';

interface Recorded {
  path: string;
  /** The client went away before the response was complete (e.g. synthesis cancelled by a barge-in). */
  aborted?: boolean;
  authorization?: string;
  fields: Record<string, string>;
  json?: Record<string, unknown>;
  fileBytes?: number;
}

/**
 * OpenAI's audio API on loopback, in its real wire format: `POST /v1/audio/speech` answers raw 24 kHz 16-bit
 * PCM (`response_format: pcm`), streamed in chunks; `POST /v1/audio/transcriptions` takes multipart/form-data
 * and answers `{ "text": ... }`, recognising the shared test utterances by their duration;
 * `POST /v1/chat/completions` streams server-sent `chat.completion.chunk` events ending with `[DONE]`. `failNext` scripts
 * errors (OpenAI's JSON error shape) or hangs.
 */
export class OpenAiStandIn {
  readonly requests: Recorded[] = [];
  readonly failNext: Scripted[] = [];
  speechSeconds = 1;
  /** The assistant's reply to the last user message, streamed a few characters per SSE chunk. */
  reply: (input: string) => string = (input) => `You said: ${input.replace(/[.?!]+$/, '')}.`;
  tokenDelayMs = 5;
  /** Pause between streamed speech chunks (0.1 s of audio each), to make synthesis slower than real time. */
  speechChunkDelayMs = 0;
  private server!: Server;
  private readonly transcripts: { seconds: number; text: string }[];
  url = '';

  constructor() {
    const spoken = JSON.parse(
      readFileSync(path.join(SHARED_AUDIO, 'transcripts.json'), 'utf8'),
    ) as Record<string, string | string[]>;
    this.transcripts = Object.entries(spoken)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
      .map(([file, text]) => ({
        seconds: speechSeconds(sharedAudio(file.replace('.ulaw.wav', ''))),
        text,
      }));
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const recorded: Recorded = {
      path: request.url ?? '',
      authorization: request.headers.authorization,
      fields: {},
    };
    this.requests.push(recorded);
    const failure = this.failNext.shift();
    if (failure === 'hang') return;
    if (failure) {
      response.writeHead(failure, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: { message: `stand-in failure ${failure}`, type: 'server_error', code: null },
        }),
      );
      return;
    }
    if (request.url === '/v1/audio/speech') {
      recorded.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
      });
      const samples = Math.round(24_000 * this.speechSeconds);
      const pcm = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++)
        pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)), i * 2);
      request.socket.once('close', () => (recorded.aborted = !response.writableFinished));
      for (let offset = 0; offset < pcm.length; offset += 4801) {
        if (response.destroyed) return;
        response.write(pcm.subarray(offset, offset + 4801));
        if (this.speechChunkDelayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, this.speechChunkDelayMs));
        }
      }
      response.end();
      return;
    }
    if (request.url === '/v1/chat/completions') {
      recorded.json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      const messages = recorded.json.messages as { role: string; content: string }[];
      const text = this.reply(messages.at(-1)?.content ?? '');
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id: 'chatcmpl-standin', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: recorded.json!.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      response.write(chunk({ role: 'assistant', content: '' }, null));
      for (let offset = 0; offset < text.length; offset += 6) {
        if (response.destroyed) return;
        await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
        response.write(chunk({ content: text.slice(offset, offset + 6) }, null));
      }
      response.write(chunk({}, 'stop'));
      response.end('data: [DONE]\n\n');
      return;
    }
    if (request.url === '/v1/audio/transcriptions') {
      const { fields, file } = parseMultipart(body, request.headers['content-type'] ?? '');
      recorded.fields = fields;
      recorded.fileBytes = file?.length;
      // Recognises an utterance by how long its speech lasts, measured as on the shared files.
      const wav = file ? parseWav(file) : undefined;
      const seconds = wav
        ? speechSeconds(encodeMulaw(resample(pcm16Samples(wav), wav.sampleRate, 8000)))
        : 0;
      const match = this.transcripts.reduce((best, candidate) =>
        Math.abs(candidate.seconds - seconds) < Math.abs(best.seconds - seconds) ? candidate : best,
      );
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ text: Math.abs(match.seconds - seconds) < 0.1 ? match.text : '' }),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }),
    );
  }
}

/** The shared test utterance whose speech lasts as long as this 8 kHz mu-law audio's, or ''. */
export function recogniseSharedUtterance(mulaw: Buffer): string {
  const spoken = JSON.parse(
    readFileSync(path.join(SHARED_AUDIO, 'transcripts.json'), 'utf8'),
  ) as Record<string, string | string[]>;
  const seconds = speechSeconds(mulaw);
  let best: { delta: number; text: string } = { delta: Infinity, text: '' };
  for (const [file, text] of Object.entries(spoken)) {
    if (typeof text !== 'string' || text === '') continue;
    const delta = Math.abs(speechSeconds(sharedAudio(file.replace('.ulaw.wav', ''))) - seconds);
    if (delta < best.delta) best = { delta, text };
  }
  return best.delta < 0.1 ? best.text : '';
}

/** Seconds from the first to the last speech frame of 8 kHz mu-law audio. */
function speechSeconds(mulaw: Buffer): number {
  const spans: { startMs: number; endMs: number }[] = [];
  const endpointer = new Endpointer((utterance) => spans.push(utterance));
  for (let offset = 0; offset + 160 <= mulaw.length; offset += 160)
    endpointer.push(mulaw.subarray(offset, offset + 160));
  endpointer.flush();
  return spans.length === 0 ? 0 : (spans.at(-1)!.endMs - spans[0].startMs) / 1000;
}

function parseMultipart(
  body: Buffer,
  contentType: string,
): { fields: Record<string, string>; file?: Buffer } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const fields: Record<string, string> = {};
  let file: Buffer | undefined;
  if (!boundary) return { fields };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (name === 'file') file = content;
    else if (name) fields[name] = content.toString('utf8');
    start = next;
  }
  return { fields, file };
}
