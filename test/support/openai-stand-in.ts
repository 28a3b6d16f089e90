import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseWav } from '../../src/modules/voice/audio/wav';
import { SHARED_AUDIO, sharedAudio } from './twilio';

export type Scripted = number | 'hang';

interface Recorded {
  path: string;
  authorization?: string;
  fields: Record<string, string>;
  json?: Record<string, unknown>;
  fileBytes?: number;
}

/**
 * OpenAI's audio API on loopback, in its real wire format: `POST /v1/audio/speech` answers raw 24 kHz 16-bit
 * PCM (`response_format: pcm`), streamed in chunks; `POST /v1/audio/transcriptions` takes multipart/form-data
 * and answers `{ "text": ... }`, recognising the shared test utterances by their duration. `failNext` scripts
 * errors (OpenAI's JSON error shape) or hangs.
 */
export class OpenAiStandIn {
  readonly requests: Recorded[] = [];
  readonly failNext: Scripted[] = [];
  speechSeconds = 1;
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
        seconds: sharedAudio(file.replace('.ulaw.wav', '')).length / 8000,
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
      for (let offset = 0; offset < pcm.length; offset += 4801)
        response.write(pcm.subarray(offset, offset + 4801));
      response.end();
      return;
    }
    if (request.url === '/v1/audio/transcriptions') {
      const { fields, file } = parseMultipart(body, request.headers['content-type'] ?? '');
      recorded.fields = fields;
      recorded.fileBytes = file?.length;
      const wav = file ? parseWav(file) : undefined;
      const seconds = wav ? wav.data.length / (wav.sampleRate * (wav.bitsPerSample / 8)) : 0;
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
