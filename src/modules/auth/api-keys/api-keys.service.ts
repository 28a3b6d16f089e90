import { Injectable } from '@nestjs/common';
import type { Principal, TenantPrincipal } from '../../../common/auth/principal';
import { API_KEY_PREFIX } from '../../../common/guards/authentication.guard';
import { ValidationError } from '../../../common/errors/domain-error';
import { AuthErrors } from '../auth.errors';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { randomToken, sha256Hex } from '../tokens/token-hash';
import { ApiKey } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import type { ApiKeyViewDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

// last_used_at is informational: one write per key per minute per instance is plenty.
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

function view(key: ApiKey): ApiKeyViewDto {
  const { id, name, prefix, scopes, createdBy, createdAt, lastUsedAt, expiresAt, revokedAt } = key;
  return { id, name, prefix, scopes, createdBy, createdAt, lastUsedAt, expiresAt, revokedAt };
}

@Injectable()
export class ApiKeysService {
  private readonly lastWritten = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly organizations: OrganizationsRepository,
  ) {}

  /** Key format: `sk_<8 visible chars>_<43-char secret>`; the whole string is hashed with SHA-256. */
  async create(
    actor: TenantPrincipal & { kind: 'user' },
    input: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new ValidationError('expiresAt must be in the future', {
        fields: [{ field: 'expiresAt', errors: ['must be in the future'] }],
      });
    }
    const prefix = API_KEY_PREFIX + randomToken(6).replace(/[-_]/g, 'x').slice(0, 8);
    const secret = `${prefix}_${randomToken(32)}`;
    const key = await this.keys.create({
      organizationId: actor.organizationId,
      name: input.name,
      prefix,
      secretHash: sha256Hex(secret),
      scopes: input.scopes,
      createdBy: actor.userId,
      expiresAt,
    });
    return { ...view(key), secret };
  }

  async list(actor: TenantPrincipal): Promise<ApiKeyViewDto[]> {
    return (await this.keys.list(actor.organizationId)).map(view);
  }

  async revoke(actor: TenantPrincipal, id: string): Promise<void> {
    const key = await this.keys.findById(actor.organizationId, id);
    if (!key) throw AuthErrors.apiKeyNotFound();
    await this.keys.revoke(actor.organizationId, id);
  }

  /** Resolves a presented key to its principal, or undefined when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<Principal | undefined> {
    const key = await this.keys.findBySecretHash(sha256Hex(presented));
    const now = new Date();
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return undefined;
    const organization = await this.organizations.findById(key.organizationId);
    if (organization?.status !== 'active') return undefined;
    this.recordUse(key.id, now);
    return {
      kind: 'api_key',
      apiKeyId: key.id,
      organizationId: key.organizationId,
      scopes: key.scopes,
    };
  }

  private recordUse(id: string, now: Date): void {
    const last = this.lastWritten.get(id) ?? 0;
    if (now.getTime() - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(id, now.getTime());
    // Not awaited: a failed bookkeeping write must not fail the request it describes.
    this.keys.touchLastUsed(id, now).catch(() => this.lastWritten.delete(id));
  }
}
