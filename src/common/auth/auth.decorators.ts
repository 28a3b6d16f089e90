import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { AuthError } from '../errors/domain-error';
import type { AuthenticatedRequest, Principal, TenantPrincipal, UserRole } from './principal';

export const IS_PUBLIC_KEY = 'auth:public';
export const ROLES_KEY = 'auth:roles';
export const API_KEY_SCOPES_KEY = 'auth:api-key-scopes';
export const OPERATOR_TOKEN_KEY = 'auth:operator-token';
export const RATE_LIMIT_KEY = 'auth:rate-limit';

/** No authentication: the route is open (health probes, login, provider webhooks that verify signatures). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** Users must have one of these roles. */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/** API keys are accepted on this route when they carry every one of these scopes. */
export const AllowApiKey = (...scopes: string[]) => SetMetadata(API_KEY_SCOPES_KEY, scopes);

/** The operator token (METRICS_TOKEN) is accepted here, as are the operating organization's admins. */
export const AllowOperatorToken = () => SetMetadata(OPERATOR_TOKEN_KEY, true);

/** Which rate-limit family applies: `auth` (per IP and per account) or `admin` (per principal). */
export const RateLimit = (family: 'auth' | 'admin') => SetMetadata(RATE_LIMIT_KEY, family);

/** The authenticated principal of this request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!principal) throw new AuthError();
    return principal;
  },
);

/** The authenticated principal, which must act inside an organization (user or API key). */
export const CurrentTenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TenantPrincipal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!principal || principal.kind === 'operator') {
      throw new AuthError('This route needs a user or API key of an organization');
    }
    return principal;
  },
);
