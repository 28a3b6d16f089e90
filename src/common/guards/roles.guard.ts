import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { OPERATOR_TOKEN_KEY, ROLES_KEY } from '../auth/auth.decorators';
import { OperatorOrganization } from '../auth/operator-organization';
import type { AuthenticatedRequest, UserRole } from '../auth/principal';
import { ForbiddenError } from '../errors/domain-error';

/** Who may use an operator route with a user's token when the route names no roles of its own. */
const OPERATOR_ROLES: UserRole[] = ['owner', 'admin'];

/**
 * `@Roles(...)` routes: users need one of the roles; API keys were already held to their scopes by the
 * authentication guard; the operator token counts as an administrator. On operator routes
 * (`@AllowOperatorToken()`) a user must be an owner or admin (or have the route's roles) of the organization
 * that operates the deployment.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly operators: OperatorOrganization,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const operatorRoute = this.reflector.getAllAndOverride<boolean>(OPERATOR_TOKEN_KEY, targets);
    const named = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    const roles = named?.length ? named : operatorRoute ? OPERATOR_ROLES : [];
    if (roles.length === 0) return true;
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
    if (!principal) return true; // public route
    if (principal.kind !== 'user') return true;
    if (!roles.includes(principal.role)) {
      throw new ForbiddenError(`Requires the role ${roles.join(' or ')}`, 'AUTH_ROLE_REQUIRED');
    }
    if (operatorRoute && !(await this.operators.includes(principal.organizationId))) {
      throw new ForbiddenError(
        `Only the ${roles.join(' or ')} of the organization operating this deployment (OPERATOR_ORGANIZATION) or the operator token may read this`,
        'AUTH_OPERATOR_REQUIRED',
      );
    }
    return true;
  }
}
