import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import {
  CircuitOpenError,
  ConflictError,
  ExternalProviderError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from './domain-error';
import { mapError } from './error-response';

describe(mapError.name, () => {
  it.each([
    [new ValidationError('bad', { fields: [] }), 422, 'VALIDATION_FAILED'],
    [new NotFoundError('Call not found', 'CALL_NOT_FOUND'), 404, 'CALL_NOT_FOUND'],
    [
      new ConflictError('invalid transition', 'CALL_INVALID_TRANSITION'),
      409,
      'CALL_INVALID_TRANSITION',
    ],
    [new RateLimitedError(12), 429, 'RATE_LIMITED'],
    [new ExternalProviderError('openai', 'openai failed', 502), 503, 'PROVIDER_FAILURE'],
    [new CircuitOpenError('deepgram'), 503, 'PROVIDER_UNAVAILABLE'],
    [new NotFoundException(), 404, 'NOT_FOUND'],
    [new BadRequestException('nope'), 400, 'BAD_REQUEST'],
  ])('maps %p to %i %s', (error, status, code) => {
    const sut = mapError(error, 'req-1');

    expect(sut.status).toBe(status);
    expect(sut.body.error.code).toBe(code);
    expect(sut.body.error.requestId).toBe('req-1');
    expect(sut.unexpected).toBe(false);
  });

  it('tells a rate-limited client when to retry', () => {
    expect(mapError(new RateLimitedError(2.2), 'r').headers).toEqual({ 'retry-after': '3' });
  });

  it("keeps a provider's own words out of the answer", () => {
    const error = new ExternalProviderError(
      'openai',
      'openai failed: 401 Incorrect API key provided: sk-abc***xyz',
      401,
    );

    expect(mapError(error, 'r').body.error).toEqual({
      code: 'PROVIDER_FAILURE',
      message: 'openai failed (HTTP 401)',
      details: { provider: 'openai', status: 401 },
      requestId: 'r',
    });
  });

  it('hides everything about unexpected errors', () => {
    const sut = mapError(new TypeError("Cannot read properties of undefined (reading 'id')"), 'r');

    expect(sut).toMatchObject({ status: 500, unexpected: true });
    expect(sut.body).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', requestId: 'r' },
    });
  });

  it('treats a 5xx HttpException as unexpected too', () => {
    expect(mapError(new HttpException('db password is x', 500), 'r').body.error.message).toBe(
      'An unexpected error occurred',
    );
  });
});
