import { createHash, createHmac, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 hex: enough for high-entropy secrets (tokens, API keys); passwords use argon2id instead. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function hmacToken(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}
