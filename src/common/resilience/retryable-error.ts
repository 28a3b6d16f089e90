import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { CircuitOpenError, ExternalProviderError } from '../errors/domain-error';

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The HTTP status a provider answered with, as the SDKs we use expose it (status / statusCode / response). */
export function providerStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as {
    status?: unknown;
    statusCode?: unknown;
    response?: { status?: unknown };
  };
  for (const value of [candidate.status, candidate.statusCode, candidate.response?.status]) {
    if (typeof value === 'number' && value >= 100 && value < 600) return value;
  }
  return undefined;
}

function networkCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Worth another attempt: a timeout, a 408/429/5xx answer, or a transient network failure. Never other 4xx
 * (the request itself is wrong and will fail again) and never our own programming errors.
 */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof TaskCancelledError) return true;
  if (error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError) return false;
  if (error instanceof CircuitOpenError) return false;
  const status = providerStatusOf(error);
  if (status !== undefined) return status === 408 || status === 429 || status >= 500;
  if (networkCodeOf(error) !== undefined) return true;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError') return true;
  return error instanceof ExternalProviderError && error.status === undefined;
}
