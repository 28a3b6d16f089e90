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

// The password of a URL's userinfo (`postgres://user:secret@host`), as connection errors quote them.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi;

/** Text as it may be written: phone numbers masked, passwords inside URLs redacted. */
export function redactText(text: string): string {
  const masked = maskPhoneNumbers(text);
  return masked.includes('://') ? masked.replace(URL_PASSWORD, `$1${REDACTED}@`) : masked;
}

/**
 * A log object as it may be written: credentials replaced by `[redacted]` at any depth, every string through
 * {@link redactText}. Returns a copy, never mutating what the caller logged; what lies deeper than six levels
 * or is its own ancestor (a cycle) is written as a placeholder. Errors are left to the `err` serializer, which
 * runs this on its output.
 *
 * One walk does both: pino's own path-based `redact` would clone and walk the object again per line (and per
 * child logger), which cost a busy webhook route about a tenth of its CPU.
 */
export function redactLogObject(value: unknown, depth = 0, ancestors = new Set<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null || value instanceof Error) return value;
  // What is not walked is not written: it could hold a credential.
  if (depth > MAX_DEPTH) return '[too deep]';
  if (ancestors.has(value)) return '[circular]';
  ancestors.add(value);
  let out: unknown[] | Record<string, unknown>;
  if (Array.isArray(value)) {
    out = value.map((item) => redactLogObject(item, depth + 1, ancestors));
  } else {
    out = {};
    for (const key of Object.keys(value)) {
      out[key] = redactField(key, (value as Record<string, unknown>)[key], depth + 1, ancestors);
    }
  }
  // Only a cycle is a cycle: the same object twice side by side is written twice.
  ancestors.delete(value);
  return out;
}

/** A field's value as it may be written: `[redacted]` under a credential's key, else redacted within. */
function redactField(key: string, value: unknown, depth: number, ancestors: Set<object>): unknown {
  return isCredentialKey(key) && value !== undefined && value !== null
    ? REDACTED
    : redactLogObject(value, depth, ancestors);
}

// Request, response and error are turned into plain objects by their serializers (see logging.module.ts),
// which pino runs after this formatter: walking a live request or response here would copy its socket.
const SERIALIZED_FIELDS = new Set(['req', 'res', 'err']);
// Ids are written as they are: a caller's X-Request-Id may be all digits, and masking it would break the
// correlation with the header it was echoed in.
const ID_FIELDS = new Set(['requestId', 'callId', 'organizationId']);

/** pino's `formatters.log`: {@link redactLogObject} on each field but ids and those left to serializers. */
export function redactLogFields(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ancestors = new Set<object>(); // empty again after each field's walk
  for (const key of Object.keys(object)) {
    const value = object[key];
    const verbatim =
      SERIALIZED_FIELDS.has(key) || (ID_FIELDS.has(key) && typeof value === 'string');
    out[key] = verbatim ? value : redactField(key, value, 1, ancestors);
  }
  return out;
}

/**
 * pino's `hooks.logMethod`: the arguments of a log call with its message redacted. A call without a message
 * (an error alone, or `{ err }`) gets its error's message, redacted, as pino would otherwise take it raw.
 */
export function redactLogArguments(args: unknown[]): unknown[] {
  const [first, message, ...rest] = args;
  // Nest's Logger passes an explicit `undefined` message when it has none.
  if (message === undefined) {
    const error =
      first instanceof Error
        ? first
        : typeof first === 'object' && first !== null && !('msg' in first)
          ? (first as { err?: unknown }).err
          : undefined;
    if (error instanceof Error) return [first, redactText(error.message), ...rest];
  }
  return args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
}
