import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES_KEY } from '../auth/auth.decorators';
import type { AuthenticatedRequest, UserRole } from '../auth/principal';
import { ForbiddenError } from '../errors/domain-error';

/**
 * `@Roles(...)` routes: users need one of the roles; API keys were already held to their scopes by the
 * authentication guard; the operator token counts as an administrator.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!principal) return true; // public route
    if (principal.kind === 'user' && !roles.includes(principal.role)) {
      throw new ForbiddenError(`Requires the role ${roles.join(' or ')}`, 'AUTH_ROLE_REQUIRED');
    }
    return true;
  }
}
