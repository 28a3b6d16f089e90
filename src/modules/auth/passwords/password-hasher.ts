import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot inline.
const ARGON2ID = 2;

export const MIN_PASSWORD_LENGTH = 12;

/** argon2id with OWASP's recommended parameters (19 MiB, t=2, p=1). */
@Injectable()
export class PasswordHasher {
  // Verified against when an email is unknown, so both failures cost the same argon2 work.
  private readonly decoy = hash('switchboard-decoy-password', this.options());

  hash(password: string): Promise<string> {
    return hash(password, this.options());
  }

  /** Constant-time verification (inside argon2). */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Burns the same time as a real verification; always false. */
  async verifyDecoy(password: string): Promise<false> {
    await this.verify(await this.decoy, password);
    return false;
  }

  private options() {
    return { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
  }
}
