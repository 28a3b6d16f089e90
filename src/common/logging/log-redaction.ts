import { maskPhoneNumbers } from './mask-phone-numbers';

export const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

// Keys compared lower-cased with separators removed, so `x-api-key`, `apiKey` and `API_KEY` are one key.
const CREDENTIAL_KEYS = new Set(['authorization', 'cookie', 'setcookie', 'xapikey', 'apikey']);
const CREDENTIAL_SUFFIXES = ['password', 'token', 'secret', 'signature', 'signatureed25519'];

/** Whether a value under this key is a credential (password, any *token, *secret, *signature, auth headers). */
export function isCredentialKey(key: string): boolean {
  const normalized = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (
    CREDENTIAL_KEYS.has(normalized) ||
    CREDENTIAL_SUFFIXES.some((suffix) => normalized.endsWith(suffix))
  );
}

/**
 * A log object as it may be written: credentials replaced by `[redacted]` at any depth, phone numbers masked in
 * every string. Returns a copy, never mutating what the caller logged; what lies deeper than six levels or is
 * seen twice is written as a placeholder. Errors are left to the `err` serializer, which runs this on its output.
 *
 * One walk does both: pino's own path-based `redact` would clone and walk the object again per line (and per
 * child logger), which cost a busy webhook route about a tenth of its CPU.
 */
export function redactLogObject(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskPhoneNumbers(value);
  if (typeof value !== 'object' || value === null || value instanceof Error) return value;
  // What is not walked is not written: it could hold a credential.
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactLogObject(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    out[key] =
      isCredentialKey(key) && item !== undefined && item !== null
        ? REDACTED
        : redactLogObject(item, depth + 1, seen);
  }
  return out;
}

// Request, response and error are turned into plain objects by their serializers, which pino runs after this
// formatter: walking the live IncomingMessage or ServerResponse here would copy sockets and lose the status.
const SERIALIZED_FIELDS = new Set(['req', 'res', 'err']);

/** pino's `formatters.log`: {@link redactLogObject} on each field but those left to their serializers. */
export function redactLogFields(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (SERIALIZED_FIELDS.has(key)) out[key] = value;
    else if (isCredentialKey(key) && value !== undefined && value !== null) out[key] = REDACTED;
    else out[key] = redactLogObject(value, 1);
  }
  return out;
}
