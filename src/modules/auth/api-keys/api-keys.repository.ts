import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { ApiKey } from './api-key.entity';

/** API keys, always within one organization (see UsersRepository for the pattern). */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ApiKey);
  }

  create(
    fields: Omit<
      ApiKey,
      'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'organization' | 'creator'
    >,
  ) {
    return this.repo.save(this.repo.create(fields));
  }

  /** Authentication looks a key up by its secret's hash before the organization is known. */
  findBySecretHash(secretHash: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ secretHash });
  }

  list(organizationId: string): Promise<ApiKey[]> {
    return this.repo.find({ where: { organizationId }, order: { createdAt: 'DESC' } });
  }

  findById(organizationId: string, id: string): Promise<ApiKey | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  async revoke(organizationId: string, id: string): Promise<void> {
    await this.repo.update({ organizationId, id, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}
