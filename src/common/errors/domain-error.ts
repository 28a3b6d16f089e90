/**
 * Errors the domain raises on purpose. Each carries a stable, machine-readable `code` (modules define their own,
 * e.g. `AUTH_INVALID_CREDENTIALS`) and a `kind` that the global exception filter maps to an HTTP status, so
 * services never think in status codes.
 */
export type DomainErrorKind =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  | 'provider_failure'
  | 'circuit_open'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** What a client is told; `message` may say more, for the logs. */
  get publicMessage(): string {
    return this.message;
  }
}

/**
 * What may be stored where a tenant reads it (a document's error, a call's event) about a failure: a domain
 * error's public message, never the raw text of anything else (a driver's, a provider's), which stays in logs.
 */
export function publicMessageOf(error: unknown, fallback: string): string {
  return error instanceof DomainError ? error.publicMessage : fallback;
}

export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(message: string, details?: unknown, code = 'VALIDATION_FAILED') {
    super(code, message, details);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(message = 'Resource not found', code = 'NOT_FOUND') {
    super(code, message);
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(message: string, code = 'CONFLICT', details?: unknown) {
    super(code, message, details);
  }
}

export class AuthError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'Authentication required', code = 'UNAUTHENTICATED') {
    super(code, message);
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  constructor(message = 'Not allowed', code = 'FORBIDDEN') {
    super(code, message);
  }
}

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests',
    code = 'RATE_LIMITED',
  ) {
    super(code, message, { retryAfterSeconds });
  }
}

/** An external provider (OpenAI, Twilio, ...) failed. `status` is the provider's HTTP status when it had one. */
export class ExternalProviderError extends DomainError {
  readonly kind = 'provider_failure';
  constructor(
    readonly provider: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super('PROVIDER_FAILURE', message, { provider, status }, options);
  }

  /** The provider's own text can quote a masked key, an account or an internal address: it stays in the logs. */
  override get publicMessage(): string {
    return `${this.provider} failed${this.status ? ` (HTTP ${this.status})` : ''}`;
  }
}

/**
 * A provider's answer that no retry can change because our configuration does not match it (a model's vector
 * length, say). The message is ours, written from our settings, so a tenant may read it.
 */
export class ProviderMismatchError extends ExternalProviderError {
  readonly permanent = true;

  override get publicMessage(): string {
    return this.message;
  }
}

export class CircuitOpenError extends DomainError {
  readonly kind = 'circuit_open';
  constructor(readonly provider: string) {
    super('PROVIDER_UNAVAILABLE', `${provider} is temporarily unavailable`, { provider });
  }
}

export class ServiceUnavailableError extends DomainError {
  readonly kind = 'unavailable';
  constructor(message = 'Service unavailable', code = 'SERVICE_UNAVAILABLE') {
    super(code, message);
  }
}
