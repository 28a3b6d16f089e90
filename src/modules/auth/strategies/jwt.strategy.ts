import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Principal } from '../../../common/auth/principal';
import { AppConfig } from '../../../config/app-config';
import { AuthService } from '../auth.service';
import type { AccessTokenClaims } from '../tokens/access-token.service';
import { JwtKeys } from '../tokens/jwt-keys';

// Clock skew tolerated between instances, and no more (RFC 8725 §3.10 checks stay strict).
const LEEWAY_SECONDS = 5;

/** Verifies access tokens with the one pinned algorithm, issuer and audience (RFC 8725). */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeys,
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: keys.verificationKey,
      algorithms: [keys.algorithm],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: LEEWAY_SECONDS },
    });
  }

  validate(claims: AccessTokenClaims): Promise<Principal> {
    return this.auth.principalFromClaims(claims);
  }
}
