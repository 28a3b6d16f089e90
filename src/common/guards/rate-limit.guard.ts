import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { RATE_LIMIT_KEY } from '../auth/auth.decorators';
import { principalId, type AuthenticatedRequest } from '../auth/principal';
import { RateLimitedError } from '../errors/domain-error';

export const RATE_LIMITERS = {
  authPerIp: 'auth-ip',
  authPerAccount: 'auth-account',
  adminPerPrincipal: 'admin',
} as const;

/**
 * Applies only the limiters of the route's `@RateLimit(family)`, each with its own key: the client IP, the
 * account being logged into (email, or the refresh token's hash), or the authenticated principal.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // Most routes (webhooks, media, probes) have no family: skipped before the parent resolves each limiter's
  // limit, ttl and tracker, two dozen metadata lookups and awaits per request.
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.familyOf(context) === undefined || super.shouldSkip(context);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const family = this.familyOf(props.context);
    const tracker = family
      ? trackerFor(family, props.throttler.name, props.context.switchToHttp().getRequest())
      : undefined;
    if (tracker === undefined) return true;
    return super.handleRequest({ ...props, getTracker: () => Promise.resolve(tracker) });
  }

  private familyOf(context: ExecutionContext): 'auth' | 'admin' | undefined {
    return this.reflector.getAllAndOverride<'auth' | 'admin' | undefined>(RATE_LIMIT_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitedError(
      Math.max(detail.timeToBlockExpire, detail.timeToExpire, 1),
      'Too many requests; retry later',
    );
  }
}

function trackerFor(
  family: 'auth' | 'admin',
  limiter: string | undefined,
  request: AuthenticatedRequest,
): string | undefined {
  if (family === 'admin') {
    return limiter === RATE_LIMITERS.adminPerPrincipal && request.user
      ? principalId(request.user)
      : undefined;
  }
  if (limiter === RATE_LIMITERS.authPerIp) return `ip:${request.ip}`;
  if (limiter !== RATE_LIMITERS.authPerAccount) return undefined;
  // A signed-in request (change-password) names its account by its token: guesses of the current password from
  // many addresses must still meet one limit.
  if (request.user) return principalId(request.user);
  const body = (request.body ?? {}) as { email?: unknown; refreshToken?: unknown };
  if (typeof body.email === 'string') return `email:${body.email.trim().toLowerCase()}`;
  if (typeof body.refreshToken === 'string') {
    return `refresh:${createHash('sha256').update(body.refreshToken).digest('hex').slice(0, 32)}`;
  }
  return undefined;
}
