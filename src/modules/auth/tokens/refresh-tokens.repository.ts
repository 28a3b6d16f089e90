import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RefreshToken, RefreshTokenRevokeReason } from './refresh-token.entity';

@Injectable()
export class RefreshTokensRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(RefreshToken);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  insert(
    fields: Omit<RefreshToken, 'id' | 'user'>,
    manager?: EntityManager,
  ): Promise<RefreshToken> {
    const repo = this.repo(manager);
    return repo.save(repo.create(fields));
  }

  /** Locks the row so concurrent refreshes of one token are serialised. */
  findByHashForUpdate(manager: EntityManager, tokenHash: string): Promise<RefreshToken | null> {
    return this.repo(manager)
      .createQueryBuilder('token')
      .setLock('pessimistic_write')
      .where('token.token_hash = :tokenHash', { tokenHash })
      .getOne();
  }

  findById(id: string, manager?: EntityManager): Promise<RefreshToken | null> {
    return this.repo(manager).findOneBy({ id });
  }

  findByHash(tokenHash: string): Promise<RefreshToken | null> {
    return this.repo().findOneBy({ tokenHash });
  }

  async markRotated(
    manager: EntityManager,
    id: string,
    successorId: string,
    at: Date,
  ): Promise<void> {
    await this.repo(manager).update(
      { id },
      { revokedAt: at, revokedReason: 'rotated', replacedById: successorId, lastUsedAt: at },
    );
  }

  async revoke(
    id: string,
    reason: RefreshTokenRevokeReason,
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update(
      { id, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
  }

  /** Revokes every still-active token of a family. */
  async revokeFamily(
    familyId: string,
    reason: RefreshTokenRevokeReason,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.repo(manager).update(
      { familyId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
    return result.affected ?? 0;
  }

  /** Revokes every still-active token of every family of a user. */
  async revokeAllForUser(
    userId: string,
    reason: RefreshTokenRevokeReason,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.repo(manager).update(
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date(), revokedReason: reason },
    );
    return result.affected ?? 0;
  }
}
