import * as http from 'node:http';
import * as https from 'node:https';
import { encodeMultipart, type MultipartFile } from './multipart';

/**
 * A `fetch` for provider SDKs (their documented `fetch` option) that sends over node:http with keep-alive
 * agents. Node's own fetch (undici) builds a WHATWG Request, a web-stream body and a Blob pipeline per call:
 * measured against the stand-in providers, that cost about 0.8 ms of event loop per voice turn's three requests,
 * time every call's audio waits behind. This one hands the SDK the same Response it expects, with the body
 * streamed as it arrives, at under half that cost.
 *
 * Bodies it sends: strings, bytes, URLSearchParams and FormData (the SDK's uploads, written as multipart here).
 * Anything else (a streamed upload, a Request object), and redirects, go to the global fetch instead.
 */
export const nodeHttpFetch: typeof fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const encoded = url && (await encodeBody(init.body));
  if (!url || !encoded || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return fetch(input, init);
  }
  const headers = headerRecord(init.headers);
  if (encoded.contentType) headers['content-type'] = encoded.contentType;
  if (encoded.body) headers['content-length'] = String(encoded.body.byteLength);

  const method = init.method ?? 'GET';
  const response = await send(url, method, headers, encoded.body, init.signal);
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status >= 300 && status < 400 && location) {
    response.resume();
    // Followed from where it points, as fetch would: a 303 (and a 301/302 after a POST) becomes a GET.
    const asGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
    return fetch(
      new URL(location, url),
      asGet ? { ...init, method: 'GET', body: undefined } : init,
    );
  }
  try {
    return new Response(
      method === 'HEAD' || NULL_BODY_STATUSES.has(status)
        ? drained(response)
        : streamOf(response, init.signal),
      { status, statusText: response.statusMessage, headers: pairsOf(response.rawHeaders) },
    );
  } catch (error) {
    // A status a Response cannot carry: the socket still goes back to the pool.
    response.resume();
    throw error;
  }
};

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function drained(response: http.IncomingMessage): null {
  response.resume();
  return null;
}

// Idle sockets are closed after 4 s, before servers that keep them 5 s (uvicorn's default) close them under
// a request being sent, which would reach the circuit breaker as a connection error.
const AGENTS = {
  'http:': new http.Agent({ keepAlive: true, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, timeout: 4000 }),
};

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  signal: AbortSignal | null | undefined,
): Promise<http.IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method,
        headers,
        agent: AGENTS[url.protocol as keyof typeof AGENTS],
        ...(signal && { signal }),
      },
      resolve,
    );
    // Not `once`: a socket reset mid-body errors the request again, after the promise settled.
    request.on('error', reject);
    request.end(body);
  });
}

/** The response body as a web stream that pauses the socket while the reader is not keeping up. */
function streamOf(
  response: http.IncomingMessage,
  signal: AbortSignal | null | undefined,
): ReadableStream<Uint8Array> {
  // Errors surface through 'close' below; without a listener an 'error' would be thrown process-wide.
  response.on('error', () => undefined);
  // Once the stream is closed, errored or cancelled, a late 'data' or 'end' (a destroyed response still
  // flushes what it buffered) must not touch the controller: that would throw in an event handler.
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        if (error === undefined) controller.close();
        else controller.error(error);
      };
      response.on('data', (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) response.pause();
      });
      // An abort can end a response whose body was buffered: the reader must see the abort, not a short body.
      response.once('end', () => finish(signal?.aborted ? signal.reason : undefined));
      response.once('close', () =>
        finish(
          signal?.aborted
            ? signal.reason
            : new Error('the connection closed before the response ended'),
        ),
      );
    },
    pull() {
      response.resume();
    },
    cancel() {
      done = true;
      response.destroy();
    },
  });
}

async function encodeBody(
  body: RequestInit['body'],
): Promise<{ body?: Uint8Array; contentType?: string } | undefined> {
  if (body === undefined || body === null) return {};
  if (typeof body === 'string') return { body: Buffer.from(body) };
  if (body instanceof Uint8Array) return { body };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body) };
  if (body instanceof URLSearchParams) {
    return {
      body: Buffer.from(body.toString()),
      contentType: 'application/x-www-form-urlencoded;charset=UTF-8',
    };
  }
  if (body instanceof FormData) return multipart(body);
  return undefined;
}

/** FormData (the SDK's uploads) as multipart, each file read out of its Blob. */
async function multipart(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const parts: [string, string | MultipartFile][] = [];
  for (const [name, value] of form) {
    parts.push([
      name,
      typeof value === 'string'
        ? value
        : {
            filename: value.name,
            contentType: value.type || 'application/octet-stream',
            bytes: new Uint8Array(await value.arrayBuffer()),
          },
    ]);
  }
  return encodeMultipart(parts);
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  const record: Record<string, string> = {};
  if (!headers) return record;
  if (headers instanceof Headers) headers.forEach((value, name) => (record[name] = value));
  else if (Array.isArray(headers)) for (const [name, value] of headers) record[name] = value;
  else Object.assign(record, headers);
  return record;
}

function pairsOf(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}
