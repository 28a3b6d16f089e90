// E.164-looking digit runs (8-15 digits, optional + or its URL encoding %2B) that are not part of a longer token
// such as a UUID.
const PHONE_NUMBER = /(?<![\w-])(?:\+|%2B)?[1-9]\d{7,14}(?![\w-])/gi;

/** Masks phone numbers to their last four digits, e.g. `+14155550100` → `***0100`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_NUMBER, (match) => `***${match.slice(-4)}`);
}

/** Applies {@link maskPhoneNumbers} to every string inside a log object (depth-bounded, cycle-safe). */
export function maskPhoneNumbersDeep(
  value: unknown,
  depth = 0,
  seen = new WeakSet<object>(),
): unknown {
  if (typeof value === 'string') return maskPhoneNumbers(value);
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskPhoneNumbersDeep(item, depth + 1, seen));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    out[key] = maskPhoneNumbersDeep(item, depth + 1, seen);
  return out;
}
