import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../../config/app-config';
import type { UserRole } from '../users/user.entity';

/** Claims of a Switchboard access token (besides iss, aud, iat, exp). */
export interface AccessTokenClaims {
  sub: string;
  org: string;
  role: UserRole;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  issue(user: { id: string; organizationId: string; role: UserRole }): {
    accessToken: string;
    expiresIn: number;
  } {
    const claims: AccessTokenClaims = { sub: user.id, org: user.organizationId, role: user.role };
    return {
      // algorithm, issuer, audience and lifetime come from JwtModule's signOptions
      accessToken: this.jwt.sign(claims),
      expiresIn: this.config.auth.accessTtlSeconds,
    };
  }
}
