import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { AuthErrors } from '../auth.errors';
import { JwtKeys } from './jwt-keys';
import { RefreshToken, RefreshTokenRevokeReason } from './refresh-token.entity';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { hmacToken, randomToken, sha256Hex } from './token-hash';

const TOKEN_PREFIX = 'sbr_';

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

export interface RotationResult {
  userId: string;
  refreshToken: string;
}

/**
 * Refresh tokens per RFC 9700 §4.14.2: opaque, stored hashed, rotated on every use, and a reuse of a rotated
 * token revokes its whole family. A rotated token's successor is derived from it with a server-side key
 * (HMAC), so within JWT_REFRESH_REUSE_GRACE a client that lost the response can be handed the very same
 * successor again even though only hashes are stored.
 */
@Injectable()
export class RefreshTokenService {
  private readonly logger = new Logger('RefreshTokens');

  constructor(
    private readonly tokens: RefreshTokensRepository,
    private readonly keys: JwtKeys,
    private readonly config: AppConfig,
  ) {}

  /** Starts a new family (a login). */
  async issue(userId: string, client: ClientInfo, manager?: EntityManager): Promise<string> {
    const raw = TOKEN_PREFIX + randomToken();
    await this.store(raw, { userId, familyId: undefined, parentId: null }, client, manager);
    return raw;
  }

  async rotate(raw: string, client: ClientInfo): Promise<RotationResult> {
    const outcome = await this.tokens.transaction(
      async (manager): Promise<RotationResult | 'reused'> => {
        const token = await this.tokens.findByHashForUpdate(manager, sha256Hex(raw));
        if (!token) throw AuthErrors.refreshInvalid();
        const now = new Date();
        if (token.expiresAt <= now) throw AuthErrors.refreshExpired();

        if (token.revokedAt) {
          return this.handleRevokedPresentation(manager, token, raw, now);
        }

        const successorRaw = this.successorOf(raw);
        const successor = await this.store(
          successorRaw,
          { userId: token.userId, familyId: token.familyId, parentId: token.id },
          client,
          manager,
        );
        await this.tokens.markRotated(manager, token.id, successor.id, now);
        return { userId: token.userId, refreshToken: successorRaw };
      },
    );
    // Thrown only after the transaction committed, so the family's revocation is not rolled back with it.
    if (outcome === 'reused') throw AuthErrors.refreshReused();
    return outcome;
  }

  /** Logout: revokes the session (family) the token belongs to. Unknown tokens are ignored. */
  async revokeSession(raw: string): Promise<void> {
    const token = await this.tokens.findByHash(sha256Hex(raw));
    if (token) await this.tokens.revokeFamily(token.familyId, 'logout');
  }

  revokeAllForUser(
    userId: string,
    reason: RefreshTokenRevokeReason,
    manager?: EntityManager,
  ): Promise<number> {
    return this.tokens.revokeAllForUser(userId, reason, manager);
  }

  private async handleRevokedPresentation(
    manager: EntityManager,
    token: RefreshToken,
    raw: string,
    now: Date,
  ): Promise<RotationResult | 'reused'> {
    if (token.revokedReason !== 'rotated' || !token.replacedById) throw AuthErrors.refreshRevoked();

    const successor = await this.tokens.findById(token.replacedById, manager);
    const sinceRotation = now.getTime() - token.revokedAt!.getTime();
    const successorRaw = this.successorOf(raw);
    const withinGrace =
      sinceRotation <= this.config.auth.refreshReuseGraceMs &&
      successor !== null &&
      successor.revokedAt === null &&
      successor.tokenHash === sha256Hex(successorRaw);
    if (withinGrace) {
      return { userId: token.userId, refreshToken: successorRaw };
    }

    // A rotated token came back after the grace window: either the client or an attacker holds a copy.
    // The server cannot tell which, so the whole family goes (RFC 9700 §4.14.2).
    const revoked = await this.tokens.revokeFamily(token.familyId, 'reuse_detected', manager);
    this.logger.warn(
      `Refresh token reuse detected for user ${token.userId} (family ${token.familyId}); ` +
        `revoked ${revoked} active token(s)`,
    );
    return 'reused';
  }

  private successorOf(raw: string): string {
    return TOKEN_PREFIX + hmacToken(this.keys.refreshRotationKey, raw);
  }

  private store(
    raw: string,
    lineage: { userId: string; familyId: string | undefined; parentId: string | null },
    client: ClientInfo,
    manager?: EntityManager,
  ): Promise<RefreshToken> {
    const issuedAt = new Date();
    return this.tokens.insert(
      {
        userId: lineage.userId,
        familyId: lineage.familyId ?? crypto.randomUUID(),
        parentId: lineage.parentId,
        tokenHash: sha256Hex(raw),
        issuedAt,
        expiresAt: new Date(issuedAt.getTime() + this.config.auth.refreshTtlSeconds * 1000),
        lastUsedAt: null,
        revokedAt: null,
        revokedReason: null,
        replacedById: null,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip?.slice(0, 64) ?? null,
      },
      manager,
    );
  }
}
