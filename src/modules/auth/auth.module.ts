import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { OperatorOrganization } from '../../common/auth/operator-organization';
import { AppConfig } from '../../config/app-config';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysRepository } from './api-keys/api-keys.repository';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { DatabaseOperatorOrganization } from './organizations/database-operator-organization';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { PasswordHasher } from './passwords/password-hasher';
import { ApiKeyStrategy } from './strategies/api-key.strategy';
import { JwtStrategy } from './strategies/jwt.strategy';
import { AccessTokenService } from './tokens/access-token.service';
import { JwtKeys } from './tokens/jwt-keys';
import { JwtKeysModule } from './tokens/jwt-keys.module';
import { RefreshTokenService } from './tokens/refresh-token.service';
import { RefreshTokensRepository } from './tokens/refresh-tokens.repository';
import { UsersController } from './users/users.controller';
import { UsersRepository } from './users/users.repository';
import { UsersService } from './users/users.service';

@Module({
  imports: [
    PassportModule,
    JwtKeysModule,
    JwtModule.registerAsync({
      imports: [JwtKeysModule],
      inject: [AppConfig, JwtKeys],
      useFactory: (config: AppConfig, keys: JwtKeys) => ({
        ...(keys.algorithm === 'HS256'
          ? { secret: keys.signingKey }
          : { privateKey: keys.signingKey, publicKey: keys.verificationKey }),
        signOptions: {
          algorithm: keys.algorithm,
          issuer: config.auth.issuer,
          audience: config.auth.audience,
          expiresIn: config.auth.accessTtlSeconds,
        },
        verifyOptions: {
          algorithms: [keys.algorithm],
          issuer: config.auth.issuer,
          audience: config.auth.audience,
        },
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ApiKeysController],
  providers: [
    OrganizationsRepository,
    UsersRepository,
    RefreshTokensRepository,
    ApiKeysRepository,
    PasswordHasher,
    AccessTokenService,
    RefreshTokenService,
    AuthService,
    UsersService,
    ApiKeysService,
    JwtStrategy,
    ApiKeyStrategy,
    { provide: OperatorOrganization, useClass: DatabaseOperatorOrganization },
  ],
  // The global roles guard asks it who may read the operator routes.
  exports: [OperatorOrganization],
})
export class AuthModule {}
