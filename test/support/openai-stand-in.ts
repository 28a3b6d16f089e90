import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
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

/** A tool call as it appears in a request's assistant message (OpenAI's `tool_calls` entries). */
export interface StandInToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A chat message as the client sent it; multi-part text content is joined into one string. */
export interface StandInMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: StandInToolCall[];
  tool_call_id?: string;
  name?: string;
}

/** A function tool the client offered. */
export interface StandInTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface StandInChatRequest {
  messages: StandInMessage[];
  tools: StandInTool[];
  model: string;
  stream: boolean;
}

/**
 * One assistant turn: plain text, or tool calls (optionally preceded by text). String `arguments` are sent
 * verbatim, so a test can hand the client malformed JSON.
 */
export type StandInTurn =
  | string
  | {
      toolCalls: { name: string; arguments: Record<string, unknown> | string }[];
      content?: string;
    };

interface ResolvedTurn {
  content?: string;
  toolCalls: { id: string; name: string; arguments: string }[];
}

const DEFAULT_EMBEDDING_DIMENSIONS = 1536;

/**
 * OpenAI's API on loopback, in its real wire format: `POST /v1/audio/speech` answers raw 24 kHz 16-bit
 * PCM (`response_format: pcm`), streamed in chunks; `POST /v1/audio/transcriptions` takes multipart/form-data
 * and answers `{ "text": ... }`, recognising the shared test utterances by their duration;
 * `POST /v1/chat/completions` answers a `chat.completion`, or with `stream: true` server-sent
 * `chat.completion.chunk` events ending with `[DONE]`, with text and/or tool calls; `POST /v1/embeddings`
 * answers bag-of-words vectors (see {@link standInEmbedding}) as float arrays or base64. `failNext` scripts
 * errors (OpenAI's JSON error shape) or hangs on any endpoint.
 */
export class OpenAiStandIn {
  readonly requests: Recorded[] = [];
  readonly failNext: Scripted[] = [];
  /**
   * Assistant turns answered in order, one per chat request, before `respond` or `reply` is asked. A request
   * refused by `failNext` consumes none, so a retried request gets the turn meant for it.
   */
  readonly scriptedTurns: StandInTurn[] = [];
  speechSeconds = 1;
  /** The assistant's reply to the last message's content, streamed a few characters per SSE chunk. */
  reply: (input: string) => string = (input) => `You said: ${input.replace(/[.?!]+$/, '')}.`;
  /**
   * When set, decides the assistant turn from the whole request (tool results, tools offered); answering
   * `undefined` leaves the turn to `reply`.
   */
  respond?: (
    request: StandInChatRequest,
  ) => StandInTurn | undefined | Promise<StandInTurn | undefined>;
  /** Pause between streamed chat chunks. */
  tokenDelayMs = 5;
  /** Pause between streamed speech chunks (0.1 s of audio each), to make synthesis slower than real time. */
  speechChunkDelayMs = 0;
  /** How many of the next speech responses send their first chunk and then nothing, the connection held open. */
  stallSpeech = 0;
  /** Answers embeddings of this length whatever was asked, to exercise a client's dimension check. */
  embeddingDimensionsOverride?: number;
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

  /** Queues assistant turns; see `scriptedTurns`. */
  scriptTurns(...turns: StandInTurn[]): void {
    this.scriptedTurns.push(...turns);
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The environment that sends a test app's transcription, speech and chat to this stand-in. */
  voiceEnv(): Record<string, string> {
    return {
      OPENAI_BASE_URL: this.url,
      OPENAI_API_KEY: 'sk-test',
      STT_PROVIDER: 'openai',
      TTS_PROVIDER: 'openai',
      LLM_PROVIDER: 'openai',
    };
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
      sendError(response, failure, `stand-in failure ${failure}`, 'server_error');
      return;
    }
    if (request.url === '/v1/audio/speech') {
      recorded.json = parseJson(body);
      if (!recorded.json) return sendInvalidJson(response);
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'transfer-encoding': 'chunked',
      });
      const samples = Math.round(24_000 * this.speechSeconds);
      const pcm = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++)
        pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)), i * 2);
      request.socket.once('close', () => (recorded.aborted = !response.writableFinished));
      const stall = this.stallSpeech > 0;
      if (stall) this.stallSpeech--;
      for (let offset = 0; offset < pcm.length; offset += 4801) {
        if (response.destroyed) return;
        response.write(pcm.subarray(offset, offset + 4801));
        if (stall) return;
        if (this.speechChunkDelayMs > 0) {
          await new Promise((resolve) => setTimeout(resolve, this.speechChunkDelayMs));
        }
      }
      response.end();
      return;
    }
    if (request.url === '/v1/chat/completions') {
      recorded.json = parseJson(body);
      if (!recorded.json) return sendInvalidJson(response);
      if (!Array.isArray(recorded.json.messages)) {
        return sendError(
          response,
          400,
          "'messages' is a required property",
          'invalid_request_error',
        );
      }
      await this.answerChat(recorded, recorded.json, response);
      return;
    }
    if (request.url === '/v1/embeddings') {
      recorded.json = parseJson(body);
      if (!recorded.json) return sendInvalidJson(response);
      this.answerEmbeddings(recorded.json, response);
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
    sendError(response, 404, 'not found', 'invalid_request_error');
  }

  private async answerChat(
    recorded: Recorded,
    body: Record<string, unknown>,
    response: ServerResponse,
  ): Promise<void> {
    let gone = false;
    // On the response, not the socket: the SDK keeps connections alive, so socket listeners would pile up.
    response.once('close', () => {
      gone = true;
      if (!response.writableFinished) recorded.aborted = true;
    });
    const chat = toChatRequest(body);
    const turn = resolveTurn(await this.nextTurn(chat));
    const id = `chatcmpl-${randomId()}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = turn.toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const usage = {
      prompt_tokens: estimateTokens(
        JSON.stringify(body.messages) + JSON.stringify(body.tools ?? ''),
      ),
      completion_tokens: estimateTokens(
        (turn.content ?? '') + turn.toolCalls.map((call) => call.name + call.arguments).join(''),
      ),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (!chat.stream) {
      const toolCalls = turn.toolCalls.map(({ id: callId, name, arguments: args }) => ({
        id: callId,
        type: 'function',
        function: { name, arguments: args },
      }));
      const message = {
        role: 'assistant',
        // OpenAI sends null rather than '' when the model only called tools.
        content: turn.content ?? (toolCalls.length > 0 ? null : ''),
        refusal: null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: chat.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
          usage,
        }),
      );
      return;
    }

    const event = (payload: Record<string, unknown>) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: chat.model, ...payload })}\n\n`;
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      event({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const deltas: Record<string, unknown>[] = [];
    const text = turn.content ?? '';
    if (turn.toolCalls.length === 0 || text !== '') {
      deltas.push({ role: 'assistant', content: '' });
      for (let offset = 0; offset < text.length; offset += 6)
        deltas.push({ content: text.slice(offset, offset + 6) });
    }
    turn.toolCalls.forEach((call, index) => {
      const opening = {
        index,
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: '' },
      };
      // As OpenAI does, only the message's very first chunk names the role.
      deltas.push(
        deltas.length === 0
          ? { role: 'assistant', content: null, tool_calls: [opening] }
          : { tool_calls: [opening] },
      );
      for (let offset = 0; offset < call.arguments.length; offset += 6) {
        const piece = call.arguments.slice(offset, offset + 6);
        deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
      }
    });

    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [position, delta] of deltas.entries()) {
      if (position > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
      if (gone || response.destroyed) return;
      response.write(chunk(delta, null));
    }
    if (gone || response.destroyed) return;
    response.write(chunk({}, finishReason));
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage) response.write(event({ choices: [], usage }));
    response.end('data: [DONE]\n\n');
  }

  private async nextTurn(chat: StandInChatRequest): Promise<StandInTurn> {
    const scripted = this.scriptedTurns.shift();
    if (scripted !== undefined) return scripted;
    const decided = await this.respond?.(chat);
    if (decided !== undefined) return decided;
    return this.reply(chat.messages.at(-1)?.content ?? '');
  }

  private answerEmbeddings(body: Record<string, unknown>, response: ServerResponse): void {
    const { input, dimensions, encoding_format: encoding } = body;
    const texts =
      typeof input === 'string'
        ? [input]
        : Array.isArray(input) && input.every((text) => typeof text === 'string')
          ? input
          : [];
    // OpenAI refuses empty input and empty strings; token-array input is not spoken here.
    if (texts.length === 0 || texts.some((text) => text === '')) {
      return sendError(
        response,
        400,
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        'invalid_request_error',
      );
    }
    if (dimensions !== undefined && !(Number.isInteger(dimensions) && (dimensions as number) > 0)) {
      return sendError(
        response,
        400,
        'dimensions must be a positive integer',
        'invalid_request_error',
      );
    }
    if (encoding !== undefined && encoding !== 'float' && encoding !== 'base64') {
      return sendError(
        response,
        400,
        "encoding_format must be 'float' or 'base64'",
        'invalid_request_error',
      );
    }
    const length =
      this.embeddingDimensionsOverride ??
      (dimensions as number | undefined) ??
      DEFAULT_EMBEDDING_DIMENSIONS;
    const data = texts.map((text, index) => {
      const vector = standInEmbedding(text, length);
      return {
        object: 'embedding',
        index,
        embedding: encoding === 'base64' ? float32Base64(vector) : vector,
      };
    });
    const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  }
}

/**
 * The stand-in's embedding of a text: feature hashing of its lowercased words (common English function words
 * dropped, a plural `s` stripped) into `dimensions` signed buckets, L2-normalised. Texts sharing words score a
 * higher cosine similarity, which is enough to rank retrieval results deterministically. Values are rounded
 * to float32, so float and base64 answers agree exactly.
 */
export function standInEmbedding(
  text: string,
  dimensions = DEFAULT_EMBEDDING_DIMENSIONS,
): number[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => !STOP_WORDS.has(word))
    .map((word) =>
      word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word,
    );
  // A text of nothing but function words or punctuation still needs a unit vector.
  if (words.length === 0) words.push(text.trim().toLowerCase());
  const vector = new Float64Array(dimensions);
  for (const word of words) {
    // A second, independent hash picks the sign, so colliding words cancel out on average instead of
    // adding spurious similarity.
    vector[fnv1a(word) % dimensions] += fnv1a(`±${word}`) & 1 ? 1 : -1;
  }
  let norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  // Colliding words of opposite signs can cancel everywhere; a zero vector has no direction to compare.
  if (norm === 0) {
    vector[fnv1a(text) % dimensions] = 1;
    norm = 1;
  }
  return Array.from(Float32Array.from(vector, (value) => value / norm));
}

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in is it its me my of on or our ' +
    's so t that the their them they this to was we were what when where which who why will with you your'
  ).split(' '),
);

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** OpenAI's base64 embedding encoding: the vector as little-endian float32. */
function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

/** Roughly OpenAI's tokens: about four characters each. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function randomId(): string {
  return randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
}

function resolveTurn(turn: StandInTurn): ResolvedTurn {
  if (typeof turn === 'string') return { content: turn, toolCalls: [] };
  return {
    content: turn.content,
    toolCalls: turn.toolCalls.map((call) => ({
      id: `call_${randomId()}`,
      name: call.name,
      arguments:
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    })),
  };
}

function toChatRequest(body: Record<string, unknown>): StandInChatRequest {
  const messages = (body.messages as Record<string, unknown>[]).map((raw): StandInMessage => {
    const { content } = raw;
    const message: StandInMessage = {
      role: raw.role as StandInMessage['role'],
      content:
        typeof content === 'string'
          ? content
          : Array.isArray(content)
            ? (content as { type?: string; text?: string }[])
                .filter((part) => part.type === 'text')
                .map((part) => part.text ?? '')
                .join('')
            : null,
    };
    if (Array.isArray(raw.tool_calls)) message.tool_calls = raw.tool_calls as StandInToolCall[];
    if (typeof raw.tool_call_id === 'string') message.tool_call_id = raw.tool_call_id;
    if (typeof raw.name === 'string') message.name = raw.name;
    return message;
  });
  const tools = ((body.tools ?? []) as { type?: string; function?: Partial<StandInTool> }[])
    .filter((tool) => tool.type === 'function' && tool.function?.name)
    .map(({ function: fn }) => ({
      name: fn!.name!,
      description: fn!.description,
      parameters: fn!.parameters,
    }));
  return {
    messages,
    tools,
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
  };
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function sendInvalidJson(response: ServerResponse): void {
  sendError(
    response,
    400,
    'We could not parse the JSON body of your request.',
    'invalid_request_error',
  );
}

function sendError(response: ServerResponse, status: number, message: string, type: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
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
