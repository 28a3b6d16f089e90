import * as http_ from 'node:http';
import request from 'supertest';
import { ProbeModule } from '../support/probe.controller';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Request ids and logging (e2e)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({}, { imports: [ProbeModule], listen: true });
  });
  afterAll(() => sut.close());

  const http = () => request(sut.app.getHttpServer());

  it('echoes a well-formed X-Request-Id and tags every log line of the request with it', async () => {
    const response = await http()
      .get('/__probe/log?from=%2B14155550100')
      .set('x-request-id', 'trace-abc-12345678')
      .set('authorization', 'Bearer very-secret-token');

    expect(response.headers['x-request-id']).toBe('trace-abc-12345678');
    const lines = sut.logs.filter((line) => line.requestId === 'trace-abc-12345678');
    // the handler's two lines and the request's own line
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['incoming call from ***0100', 'caller details', 'request completed']),
    );
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({
      req: { method: 'GET', url: '/__probe/log?from=***0100' },
      res: { statusCode: 200 },
    });
  });

  it('keeps the request id through body parsing and awaits, and logs the failures of a request', async () => {
    await http()
      .post('/__probe/log')
      .set('x-request-id', 'trace-post-12345678')
      .send({ name: 'ada', count: 2 });
    await http()
      .post('/__probe/log')
      .set('x-request-id', 'trace-bad-12345678')
      .send({ name: 'ada', count: 99 });

    const posted = sut.logs.filter((line) => line.requestId === 'trace-post-12345678');
    expect(posted.map((line) => line.msg)).toEqual(['posted ada', 'request completed']);
    const rejected = sut.logs.filter((line) => line.requestId === 'trace-bad-12345678');
    expect(rejected.at(-1)).toMatchObject({
      level: 40,
      msg: 'request completed',
      res: { statusCode: 422 },
    });
  });

  it('logs a request the client gave up on', async () => {
    const aborted = http_.get(`${sut.baseUrl}/__probe/slow`, {
      headers: { 'x-request-id': 'trace-abort-12345678' },
    });
    aborted.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    aborted.destroy();
    await new Promise((resolve) => setTimeout(resolve, 400));

    const lines = sut.logs.filter((line) => line.requestId === 'trace-abort-12345678');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'request aborted', req: expect.anything() }),
    );
  });

  it("logs an unexpected error with its message and stack, under the request's id", async () => {
    await http().get('/__probe/crash').set('x-request-id', 'trace-crash-12345678');

    const error = sut.logs.find(
      (line) => line.requestId === 'trace-crash-12345678' && line.level === 50 && line.err,
    ) as { err: { message: string; stack: string } } | undefined;
    expect(error?.err.message).toContain('leaked');
    expect(error?.err.stack).toMatch(/at /);
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('generates an id when none (or a malformed one) is sent', async () => {
    const response = await http().get('/health/live').set('x-request-id', 'bad id {"level":60}');

    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('masks phone numbers and redacts credentials in logs', async () => {
    await http()
      .get('/__probe/log?from=%2B442071838750')
      .set('x-request-id', 'trace-mask-12345678')
      .set('authorization', 'Bearer very-secret-token');

    const text = JSON.stringify(
      sut.logs.filter((line) => line.requestId === 'trace-mask-12345678'),
    );
    expect(text).not.toContain('2071838750');
    expect(text).toContain('***8750');
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('sk_live_secret');
    expect(text).toContain('"token":"[redacted]"');
  });
});
