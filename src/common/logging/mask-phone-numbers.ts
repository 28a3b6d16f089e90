// E.164-looking digit runs (8-15 digits, optional + or its URL encoding %2B) that are not part of a longer token
// such as a UUID.
const PHONE_NUMBER = /(?<![\w-])(?:\+|%2B)?[1-9]\d{7,14}(?![\w-])/gi;

/** Masks phone numbers to their last four digits, e.g. `+14155550100` → `***0100`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_NUMBER, (match) => `***${match.slice(-4)}`);
}
