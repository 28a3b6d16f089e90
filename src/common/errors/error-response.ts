import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, type DomainErrorKind, RateLimitedError } from './domain-error';

/** The one JSON error shape every HTTP endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error was not anticipated: log it in full and report it. */
  unexpected: boolean;
}

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  validation: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  provider_failure: HttpStatus.SERVICE_UNAVAILABLE,
  circuit_open: HttpStatus.SERVICE_UNAVAILABLE,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Maps anything thrown while serving a request to a status and the public error body. */
export function mapError(exception: unknown, requestId: string): MappedError {
  if (exception instanceof DomainError) {
    const headers: Record<string, string> = {};
    if (exception instanceof RateLimitedError) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(exception.retryAfterSeconds)));
    }
    return build(
      STATUS_BY_KIND[exception.kind],
      exception.code,
      exception.publicMessage,
      requestId,
      {
        details: exception.details,
        headers,
      },
    );
  }
  // Nest hands Fastify's own client errors (malformed JSON, wrong content type, body too large) to filters as
  // HttpExceptions carrying Fastify's status and message.
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 503) return build(status, codeFor(status), messageOf(exception), requestId);
    if (status >= 500) return internal(requestId);
    return build(status, codeFor(status), messageOf(exception), requestId);
  }
  return internal(requestId);
}

function build(
  status: number,
  code: string,
  message: string,
  requestId: string,
  extra: { details?: unknown; headers?: Record<string, string> } = {},
): MappedError {
  const body: ErrorBody = { error: { code, message, requestId } };
  if (extra.details !== undefined) body.error.details = extra.details;
  return { status, body, headers: extra.headers ?? {}, unexpected: false };
}

function internal(requestId: string): MappedError {
  return {
    ...build(500, 'INTERNAL_ERROR', 'An unexpected error occurred', requestId),
    unexpected: true,
  };
}

function codeFor(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
