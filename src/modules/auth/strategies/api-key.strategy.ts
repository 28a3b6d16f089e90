import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import type { Principal } from '../../../common/auth/principal';
import { AuthError } from '../../../common/errors/domain-error';
import { ApiKeysService } from '../api-keys/api-keys.service';

/** `X-Api-Key: sk_...` or `Authorization: Bearer sk_...`. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers['x-api-key'];
    const fromHeader = Array.isArray(header) ? header[0] : header;
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    const presented = fromHeader ?? bearer;
    const principal = presented ? await this.apiKeys.authenticate(presented) : undefined;
    if (!principal)
      throw new AuthError('Invalid, revoked or expired API key', 'AUTH_API_KEY_INVALID');
    return principal;
  }
}
