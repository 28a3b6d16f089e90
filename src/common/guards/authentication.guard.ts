import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { API_KEY_SCOPES_KEY, IS_PUBLIC_KEY, OPERATOR_TOKEN_KEY } from '../auth/auth.decorators';
import type { AuthenticatedRequest, Principal } from '../auth/principal';
import { AuthError, ForbiddenError } from '../errors/domain-error';

export const API_KEY_PREFIX = 'sk_';

/** Passport's guard for one strategy, reporting failures as our AuthError with a precise code. */
function passportGuard(strategy: 'jwt' | 'api-key'): CanActivate {
  const Base = AuthGuard(strategy);
  class StrategyGuard extends Base {
    override handleRequest<T>(error: unknown, principal: T, info: unknown): T {
      if (error) throw error instanceof Error ? error : new AuthError();
      if (!principal) throw describeFailure(strategy, info);
      return principal;
    }
  }
  return new StrategyGuard();
}

function describeFailure(strategy: 'jwt' | 'api-key', info: unknown): AuthError {
  if (strategy === 'api-key') return new AuthError('Invalid API key', 'AUTH_API_KEY_INVALID');
  const name = (info as { name?: string } | undefined)?.name;
  if (name === 'TokenExpiredError')
    return new AuthError('Access token expired', 'AUTH_TOKEN_EXPIRED');
  return new AuthError('Invalid access token', 'AUTH_TOKEN_INVALID');
}

/**
 * Global authentication: every route needs credentials unless marked `@Public()`. Bearer JWTs are the default;
 * API keys (`Bearer sk_...` or `X-Api-Key`) only where a route says `@AllowApiKey(scopes)`; the operator token
 * (METRICS_TOKEN) only where it says `@AllowOperatorToken()`.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  private readonly jwt = passportGuard('jwt');
  private readonly apiKey = passportGuard('api-key');

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    if (context.getType() !== 'http') return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const bearer = bearerToken(request);
    const apiKeyHeader = request.headers['x-api-key'];

    if (this.reflector.getAllAndOverride<boolean>(OPERATOR_TOKEN_KEY, targets)) {
      const operatorToken = this.config.observability.metricsToken;
      if (operatorToken && bearer && safeEqual(bearer, operatorToken)) {
        request.user = { kind: 'operator' } satisfies Principal;
        return true;
      }
    }

    if (apiKeyHeader !== undefined || bearer?.startsWith(API_KEY_PREFIX)) {
      const scopes = this.reflector.getAllAndOverride<string[] | undefined>(
        API_KEY_SCOPES_KEY,
        targets,
      );
      if (!scopes) {
        throw new AuthError('API keys are not accepted on this route', 'AUTH_API_KEY_NOT_ALLOWED');
      }
      await this.apiKey.canActivate(context);
      const principal = request.user;
      if (principal?.kind !== 'api_key')
        throw new AuthError('Invalid API key', 'AUTH_API_KEY_INVALID');
      const missing = scopes.filter((scope) => !principal.scopes.includes(scope));
      if (missing.length > 0) {
        throw new ForbiddenError(
          `API key lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          'AUTH_API_KEY_SCOPE',
        );
      }
      return true;
    }

    if (!bearer) {
      throw new AuthError('Authentication required: send a bearer access token', 'UNAUTHENTICATED');
    }
    return (await this.jwt.canActivate(context)) as boolean;
  }
}

function bearerToken(request: AuthenticatedRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
