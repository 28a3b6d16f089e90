import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { toFile } from 'openai';
import { nodeHttpFetch } from './node-http-fetch';

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

/** A local HTTP server whose answer each test scripts. */
async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handler(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function readAll(response: Response): Promise<string> {
  return Buffer.from(await response.arrayBuffer()).toString('utf8');
}

describe('nodeHttpFetch', () => {
  let server: Server | undefined;
  let base = '';
  afterEach(async () => {
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it('sends the method, headers and body, and returns the status, headers and body', async () => {
    let seen: { method?: string; type?: string; auth?: string; body?: string } = {};
    ({ server, url: base } = await serve((request, body, response) => {
      seen = {
        method: request.method,
        type: request.headers['content-type'],
        auth: request.headers.authorization,
        body: body.toString('utf8'),
      };
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      response.end('{"ok":true}');
    }));

    const sut = await nodeHttpFetch(`${base}/v1/things`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json', authorization: 'Bearer k' }),
      body: '{"a":1}',
    });

    expect(seen).toEqual({
      method: 'POST',
      type: 'application/json',
      auth: 'Bearer k',
      body: '{"a":1}',
    });
    expect(sut.status).toBe(201);
    expect(sut.headers.get('x-request-id')).toBe('req_1');
    expect(await sut.json()).toEqual({ ok: true });
  });

  it('streams the body as it arrives rather than after the response ends', async () => {
    let second!: () => void;
    const firstRead = new Promise<void>((resolve) => (second = resolve));
    ({ server, url: base } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      void firstRead.then(() => response.end('data: two\n\n'));
    }));

    const sut = await nodeHttpFetch(`${base}/stream`);
    const reader = sut.body!.getReader();
    const first = await reader.read();
    second();
    const rest: string[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      rest.push(Buffer.from(next.value).toString('utf8'));
    }

    expect(Buffer.from(first.value).toString('utf8')).toBe('data: one\n\n');
    expect(rest.join('')).toBe('data: two\n\n');
  });

  it('writes FormData as multipart that a standard parser reads back, file included', async () => {
    const fields: Record<string, string> = {};
    ({ server, url: base } = await serve((request, body, response) => {
      void new Response(body, { headers: { 'content-type': request.headers['content-type']! } })
        .formData()
        .then(async (form) => {
          for (const [name, value] of form) {
            fields[name] =
              typeof value === 'string'
                ? value
                : `${value.name}|${value.type}|${Buffer.from(await value.arrayBuffer()).toString('hex')}`;
          }
          response.end('{}');
        });
    }));
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append(
      'file',
      new File([Buffer.from([0, 1, 2, 255])], 'utterance.wav', { type: 'audio/wav' }),
    );

    await readAll(await nodeHttpFetch(`${base}/upload`, { method: 'POST', body: form }));

    expect(fields).toEqual({ model: 'whisper-1', file: 'utterance.wav|audio/wav|000102ff' });
  });

  it('errors the body when the request is aborted after the headers', async () => {
    ({ server, url: base } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write(Buffer.alloc(100));
    }));
    const controller = new AbortController();

    const sut = await nodeHttpFetch(`${base}/speech`, { signal: controller.signal });
    const reader = sut.body!.getReader();
    await reader.read();
    controller.abort();

    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('errors the body when the connection drops mid-body, rather than returning it short', async () => {
    ({ server, url: base } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write(Buffer.alloc(10));
      setTimeout(() => response.socket?.destroy(), 20);
    }));

    const sut = await nodeHttpFetch(`${base}/short`);

    await expect(sut.arrayBuffer()).rejects.toThrow();
  });

  it('survives a reader that cancels while the server is still sending', async () => {
    ({ server, url: base } = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const timer = setInterval(() => response.write(Buffer.alloc(4096)), 1);
      response.on('close', () => clearInterval(timer));
    }));

    const sut = await nodeHttpFetch(`${base}/speech`);
    const reader = sut.body!.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(await reader.closed).toBeUndefined();
  });

  it('answers a status without a body (205) with an empty body, and HEAD alike', async () => {
    ({ server, url: base } = await serve((request, _body, response) => {
      response.writeHead(request.method === 'HEAD' ? 200 : 205, { 'content-length': '0' });
      response.end();
    }));

    const reset = await nodeHttpFetch(`${base}/reset`, { method: 'POST', body: '{}' });
    const head = await nodeHttpFetch(`${base}/head`, { method: 'HEAD' });

    expect([reset.status, reset.body]).toEqual([205, null]);
    expect([head.status, head.body]).toEqual([200, null]);
  });

  it('follows a 303 to its location as a GET', async () => {
    const seen: string[] = [];
    ({ server, url: base } = await serve((request, body, response) => {
      seen.push(`${request.method} ${request.url} ${body.length}`);
      if (request.url === '/submit') {
        response.writeHead(303, { location: '/result' });
        return response.end();
      }
      response.end('done');
    }));

    const sut = await nodeHttpFetch(`${base}/submit`, { method: 'POST', body: 'payload' });

    expect(await sut.text()).toBe('done');
    expect(seen).toEqual(['POST /submit 7', 'GET /result 0']);
  });

  it('rejects when nothing listens', async () => {
    ({ server, url: base } = await serve(() => undefined));
    const closed = base;
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;

    await expect(nodeHttpFetch(`${closed}/nothing`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('serves the OpenAI SDK: a streamed chat, an upload, and status errors the policies classify', async () => {
    const statuses = [429];
    ({ server, url: base } = await serve((request, body, response) => {
      if (request.url === '/v1/audio/transcriptions') {
        response.writeHead(200, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ text: `${body.includes('RIFF') ? 'wav' : '?'}` }));
      }
      const status = statuses.shift();
      if (status) {
        response.writeHead(status, { 'content-type': 'application/json' });
        return response.end(JSON.stringify({ error: { message: 'slow down' } }));
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const content of ['Hel', 'lo']) {
        response.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`,
        );
      }
      response.end('data: [DONE]\n\n');
    }));
    const client = new OpenAI({
      apiKey: 'k',
      baseURL: `${base}/v1`,
      maxRetries: 0,
      fetch: nodeHttpFetch,
    });
    const chat = () =>
      client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });

    await expect(chat()).rejects.toMatchObject({ status: 429 });
    const text: string[] = [];
    for await (const chunk of await chat()) text.push(chunk.choices[0]?.delta.content ?? '');
    const transcript = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from('RIFF0000WAVE'), 'a.wav', { type: 'audio/wav' }),
      model: 'whisper-1',
    });

    expect(text.join('')).toBe('Hello');
    expect(transcript.text).toBe('wav');
  });
});
