import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller-supplied id is trusted only if it cannot smuggle anything into logs or headers.
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** The request's id: the caller's `X-Request-Id` when well-formed, otherwise a new UUID. */
export function resolveRequestId(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && WELL_FORMED.test(candidate) ? candidate : randomUUID();
}
