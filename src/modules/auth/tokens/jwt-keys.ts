import { Logger } from '@nestjs/common';
import { hkdfSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AppConfig } from '../../../config/app-config';

/** The keys of this instance: one algorithm per key (RFC 8725 §3.1). */
export class JwtKeys {
  constructor(
    readonly algorithm: 'HS256' | 'ES256',
    /** HS256 secret or ES256 private key (PEM). */
    readonly signingKey: string,
    /** HS256 secret or ES256 public key (PEM). */
    readonly verificationKey: string,
    /** Server-side key that derives a rotated refresh token from its parent (see RefreshTokenService). */
    readonly refreshRotationKey: Buffer,
  ) {}

  /** A 256-bit key for one purpose (e.g. media-stream tokens), derived from the signing key with HKDF. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.signingKey, 'switchboard', purpose, 32));
  }
}

const DEV_SECRET_FILE = 'jwt-secret';

/** Resolves the configured keys; in development without JWT_SECRET, generates one and keeps it in DATA_DIR. */
export async function loadJwtKeys(config: AppConfig): Promise<JwtKeys> {
  const auth = config.auth;
  if (auth.algorithm === 'ES256') {
    // Both are guaranteed by config validation for ES256.
    return new JwtKeys(
      'ES256',
      auth.privateKey!,
      auth.publicKey!,
      deriveRotationKey(auth.privateKey!),
    );
  }
  const secret = auth.secret ?? (await developmentSecret(config));
  return new JwtKeys('HS256', secret, secret, deriveRotationKey(secret));
}

function deriveRotationKey(material: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, 'switchboard', 'refresh-token-rotation', 32));
}

async function developmentSecret(config: AppConfig): Promise<string> {
  const file = path.join(config.server.dataDir, DEV_SECRET_FILE);
  const logger = new Logger('Auth');
  const advice = 'Set JWT_SECRET (32+ random bytes) before running in production.';
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (Buffer.byteLength(existing) >= 32) {
      logger.warn(`JWT_SECRET is not set: using the development secret in ${file}. ${advice}`);
      return existing;
    }
  } catch {
    // not generated yet
  }
  const secret = randomBytes(48).toString('base64url');
  await fs.mkdir(config.server.dataDir, { recursive: true });
  await fs.writeFile(file, `${secret}\n`, { mode: 0o600 });
  logger.warn(`JWT_SECRET is not set: generated a development secret in ${file}. ${advice}`);
  return secret;
}
