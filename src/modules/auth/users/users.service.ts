import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { TenantPrincipal } from '../../../common/auth/principal';
import { uniqueViolation } from '../../../database/postgres-errors';
import { AuthErrors } from '../auth.errors';
import { PasswordHasher } from '../passwords/password-hasher';
import { RefreshTokenService } from '../tokens/refresh-token.service';
import type { CreateUserDto, UpdateUserDto, UserViewDto } from './dto/user.dto';
import { User, UserRole } from './user.entity';
import { UsersRepository } from './users.repository';

function view(user: User): UserViewDto {
  const { id, email, role, disabledAt, lastLoginAt, createdAt } = user;
  return { id, email, role, disabledAt, lastLoginAt, createdAt };
}

/** API keys manage users with administrator powers, never an owner's. */
function actorRole(actor: TenantPrincipal): UserRole {
  return actor.kind === 'user' ? actor.role : 'admin';
}

/**
 * An administrator may create keys with any scope, so a key that could make an administrator (whose password it
 * chose) would lift itself from `users:write` to every scope.
 */
function assertMayGrant(actor: TenantPrincipal, role: UserRole | undefined): void {
  if (role === 'owner' && actorRole(actor) !== 'owner') throw AuthErrors.ownerRoleRequired();
  if (role === 'admin' && actor.kind !== 'user') throw AuthErrors.userRoleRequired();
}

/** User administration inside the actor's organization; owners are protected from non-owners. */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly refreshTokens: RefreshTokenService,
  ) {}

  async list(actor: TenantPrincipal): Promise<UserViewDto[]> {
    return (await this.users.list(actor.organizationId)).map(view);
  }

  async get(actor: TenantPrincipal, id: string): Promise<UserViewDto> {
    return view(await this.find(actor, id));
  }

  async create(actor: TenantPrincipal, input: CreateUserDto): Promise<UserViewDto> {
    assertMayGrant(actor, input.role);
    if (await this.users.emailExists(input.email)) throw AuthErrors.emailTaken();
    const passwordHash = await this.passwords.hash(input.password);
    try {
      return view(
        await this.users.create(actor.organizationId, {
          email: input.email,
          passwordHash,
          role: input.role,
        }),
      );
    } catch (error) {
      if (uniqueViolation(error)) throw AuthErrors.emailTaken();
      throw error;
    }
  }

  async update(actor: TenantPrincipal, id: string, input: UpdateUserDto): Promise<UserViewDto> {
    const target = await this.find(actor, id);
    this.assertMayModify(actor, target, input.role);
    await this.dataSource.transaction(async (manager) => {
      const losesOwnership =
        target.role === 'owner' &&
        ((input.role !== undefined && input.role !== 'owner') || input.disabled === true);
      if (
        losesOwnership &&
        (await this.users.lockActiveOwners(actor.organizationId, manager)) <= 1
      ) {
        throw AuthErrors.lastOwner();
      }
      await this.users.update(
        actor.organizationId,
        id,
        {
          ...(input.role !== undefined && { role: input.role }),
          ...(input.disabled !== undefined && { disabledAt: input.disabled ? new Date() : null }),
        },
        manager,
      );
      if (input.disabled) await this.refreshTokens.revokeAllForUser(id, 'user_disabled', manager);
    });
    return this.get(actor, id);
  }

  async remove(actor: TenantPrincipal, id: string): Promise<void> {
    const target = await this.find(actor, id);
    this.assertMayModify(actor, target, undefined);
    await this.dataSource.transaction(async (manager) => {
      if (
        target.role === 'owner' &&
        (await this.users.lockActiveOwners(actor.organizationId, manager)) <= 1
      ) {
        throw AuthErrors.lastOwner();
      }
      await this.users.delete(actor.organizationId, id, manager);
    });
  }

  private async find(actor: TenantPrincipal, id: string): Promise<User> {
    const user = await this.users.findById(actor.organizationId, id);
    if (!user) throw AuthErrors.userNotFound();
    return user;
  }

  private assertMayModify(
    actor: TenantPrincipal,
    target: User,
    newRole: UserRole | undefined,
  ): void {
    if (actor.kind === 'user' && actor.userId === target.id) throw AuthErrors.cannotModifySelf();
    if (target.role === 'owner' && actorRole(actor) !== 'owner')
      throw AuthErrors.ownerRoleRequired();
    // Keys manage members and viewers: one leaked `users:write` key must not lock out every administrator.
    if (target.role === 'admin' && actor.kind !== 'user') throw AuthErrors.userRoleRequired();
    assertMayGrant(actor, newRole);
  }
}
