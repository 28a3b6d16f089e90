import request from 'supertest';
import { ProbeModule } from '../support/probe.controller';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Error responses (e2e)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await createTestApp({}, { imports: [ProbeModule] });
  });
  afterAll(() => sut.close());

  const http = () => request(sut.app.getHttpServer());

  it('answers validation failures with 422 and the offending fields', async () => {
    const response = await http().post('/__probe/echo').send({ name: 7, count: 99, extra: true });

    expect(response.status).toBe(422);
    expect(response.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Request validation failed',
      requestId: response.headers['x-request-id'],
    });
    const fields = (response.body.error.details.fields as { field: string }[]).map((f) => f.field);
    expect(fields.sort()).toEqual(['count', 'extra', 'name']);
  });

  it('transforms valid payloads to the DTO', async () => {
    const response = await http().post('/__probe/echo').send({ name: 'ada', count: 3 });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({ name: 'ada', count: 3 });
  });

  it('answers malformed JSON with 400 in the same shape', async () => {
    const response = await http()
      .post('/__probe/echo')
      .set('content-type', 'application/json')
      .send('{"name": "ada",');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.message).toMatch(/not valid JSON/);
  });

  it('answers rate limiting with 429 and Retry-After', async () => {
    const response = await http().get('/__probe/rate-limited');

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.body.error.code).toBe('RATE_LIMITED');
  });

  it.each([
    ['/__probe/provider-down', 'PROVIDER_FAILURE'],
    ['/__probe/circuit-open', 'PROVIDER_UNAVAILABLE'],
  ])('answers %s with 503 %s', async (path, code) => {
    const response = await http().get(path);

    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe(code);
  });

  it('answers unknown errors with 500 and no stack or internals, logging them in full', async () => {
    const response = await http().get('/__probe/crash');

    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      error: {
        code: 'INTERNAL_ERROR',
        message: 'An unexpected error occurred',
        requestId: response.headers['x-request-id'],
      },
    });
    expect(response.text).not.toMatch(/hunter2|at .*\.ts|stack/);
    const logged = sut.logs.find(
      (line) => line.requestId === response.headers['x-request-id'] && line.level === 50,
    );
    expect(JSON.stringify(logged)).toContain('leaked');
  });

  it('answers unknown routes with 404 in the same shape', async () => {
    const response = await http().get('/nowhere');

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
  });
});
