import type { FastifyRequest } from 'fastify';

export type UserRole = 'owner' | 'admin' | 'member' | 'viewer';

/** Who is calling: a dashboard user (JWT), an integration (API key), or an operator (METRICS_TOKEN). */
export type Principal =
  | { kind: 'user'; userId: string; organizationId: string; role: UserRole; email: string }
  | { kind: 'api_key'; apiKeyId: string; organizationId: string; scopes: readonly string[] }
  | { kind: 'operator' };

/** A principal that acts inside one organization (everything but the operator token). */
export type TenantPrincipal = Exclude<Principal, { kind: 'operator' }>;

export type AuthenticatedRequest = FastifyRequest & { user?: Principal };

/** A stable id for rate limiting and audit lines. */
export function principalId(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'api_key':
      return `api_key:${principal.apiKeyId}`;
    case 'operator':
      return 'operator';
  }
}
