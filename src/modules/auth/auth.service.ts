import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { uniqueViolation } from '../../database/postgres-errors';
import type { Principal } from '../../common/auth/principal';
import { AppConfig } from '../../config/app-config';
import { AuthErrors } from './auth.errors';
import type { ChangePasswordDto, LoginDto, RegisterDto, TokenPairDto } from './dto/auth.dto';
import { Organization } from './organizations/organization.entity';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { PasswordHasher } from './passwords/password-hasher';
import { AccessTokenService, type AccessTokenClaims } from './tokens/access-token.service';
import { ClientInfo, RefreshTokenService } from './tokens/refresh-token.service';
import { User } from './users/user.entity';
import { UsersRepository } from './users/users.repository';

export interface AccountView {
  user: { id: string; email: string; role: string; lastLoginAt: Date | null; createdAt: Date };
  organization: { id: string; name: string; slug: string; plan: string; status: string };
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly organizations: OrganizationsRepository,
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  /** Creates an organization and its owner, and logs the owner in. */
  async register(input: RegisterDto, client: ClientInfo): Promise<TokenPairDto> {
    if (!this.config.auth.registrationEnabled) throw AuthErrors.registrationClosed();
    const passwordHash = await this.passwords.hash(input.password);
    const { owner, refreshToken } = await this.dataSource
      .transaction(async (manager) => {
        if (await this.users.emailExists(input.email, manager)) throw AuthErrors.emailTaken();
        const slug =
          input.organizationSlug ?? (await this.freeSlug(input.organizationName, manager));
        if (await this.organizations.slugExists(slug, manager)) throw AuthErrors.slugTaken();
        const organization = await this.organizations.create(
          { name: input.organizationName.trim(), slug },
          manager,
        );
        const created = await this.users.create(
          organization.id,
          { email: input.email, passwordHash, role: 'owner' },
          manager,
        );
        return {
          owner: created,
          refreshToken: await this.refreshTokens.issue(created.id, client, manager),
        };
      })
      .catch((error: unknown) => {
        // A concurrent registration won the race for the same email or slug.
        const constraint = uniqueViolation(error);
        if (constraint === 'users_email_lower_key') throw AuthErrors.emailTaken();
        if (constraint !== undefined) throw AuthErrors.slugTaken();
        throw error;
      });
    return this.pair(owner, refreshToken);
  }

  /** Unknown email and wrong password fail alike, in the same time (both run one argon2 verification). */
  async login(input: LoginDto, client: ClientInfo): Promise<TokenPairDto> {
    const user = await this.users.findByEmailForLogin(input.email);
    const valid = user
      ? await this.passwords.verify(user.passwordHash, input.password)
      : await this.passwords.verifyDecoy(input.password);
    if (!user || !valid) throw AuthErrors.invalidCredentials();
    this.assertActive(user);
    await this.users.update(user.organizationId, user.id, { lastLoginAt: new Date() });
    return this.pair(user, await this.refreshTokens.issue(user.id, client));
  }

  async refresh(rawToken: string, client: ClientInfo): Promise<TokenPairDto> {
    const rotation = await this.refreshTokens.rotate(rawToken, client);
    const user = await this.dataSource.getRepository(User).findOne({
      where: { id: rotation.userId },
      relations: { organization: true },
    });
    if (!user) throw AuthErrors.refreshInvalid();
    this.assertActive(user);
    return this.pair(user, rotation.refreshToken);
  }

  revoke(rawToken: string): Promise<void> {
    return this.refreshTokens.revokeSession(rawToken);
  }

  async revokeAll(principal: Extract<Principal, { kind: 'user' }>): Promise<{ revoked: number }> {
    return { revoked: await this.refreshTokens.revokeAllForUser(principal.userId, 'revoke_all') };
  }

  /** Changes the password, ends every session of the user, and starts a fresh one for this client. */
  async changePassword(
    principal: Extract<Principal, { kind: 'user' }>,
    input: ChangePasswordDto,
    client: ClientInfo,
  ): Promise<TokenPairDto> {
    const user = await this.users.findById(principal.organizationId, principal.userId);
    if (!user || !(await this.passwords.verify(user.passwordHash, input.currentPassword))) {
      throw AuthErrors.invalidCredentials();
    }
    const passwordHash = await this.passwords.hash(input.newPassword);
    const refreshToken = await this.dataSource.transaction(async (manager) => {
      await this.users.update(user.organizationId, user.id, { passwordHash }, manager);
      await this.refreshTokens.revokeAllForUser(user.id, 'password_change', manager);
      return this.refreshTokens.issue(user.id, client, manager);
    });
    return this.pair(user, refreshToken);
  }

  async account(principal: Extract<Principal, { kind: 'user' }>): Promise<AccountView> {
    const user = await this.users.findById(principal.organizationId, principal.userId);
    if (!user?.organization) throw AuthErrors.userNotFound();
    const { organization } = user;
    return {
      user: {
        id: user.id,
        email: user.email,
        role: user.role,
        lastLoginAt: user.lastLoginAt,
        createdAt: user.createdAt,
      },
      organization: {
        id: organization.id,
        name: organization.name,
        slug: organization.slug,
        plan: organization.plan,
        status: organization.status,
      },
    };
  }

  /**
   * Turns verified access-token claims into a principal, from the database rather than the claims, so a
   * disabled user, a suspended organization or a changed role take effect at once.
   */
  async principalFromClaims(claims: AccessTokenClaims): Promise<Principal> {
    const user = await this.users.findById(claims.org, claims.sub);
    if (!user) throw AuthErrors.accessTokenInvalid();
    this.assertActive(user);
    return {
      kind: 'user',
      userId: user.id,
      organizationId: user.organizationId,
      role: user.role,
      email: user.email,
    };
  }

  private assertActive(user: User & { organization?: Organization }): void {
    if (user.disabledAt) throw AuthErrors.accountDisabled();
    if (user.organization && user.organization.status !== 'active') {
      throw AuthErrors.organizationSuspended();
    }
  }

  private pair(user: User, refreshToken: string): TokenPairDto {
    return { ...this.accessTokens.issue(user), refreshToken, tokenType: 'Bearer' };
  }

  private async freeSlug(name: string, manager: EntityManager): Promise<string> {
    const base =
      name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 50) || 'org';
    const padded = base.length < 2 ? `${base}-org` : base;
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate =
        attempt === 0 ? padded : `${padded}-${Math.random().toString(36).slice(2, 8)}`;
      if (!(await this.organizations.slugExists(candidate, manager))) return candidate;
    }
    return `${padded}-${crypto.randomUUID().slice(0, 8)}`;
  }
}
