import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Organization } from './organization.entity';

@Injectable()
export class OrganizationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(Organization);
  }

  create(
    fields: Pick<Organization, 'name' | 'slug'>,
    manager?: EntityManager,
  ): Promise<Organization> {
    return this.repo(manager).save(this.repo(manager).create(fields));
  }

  findById(id: string): Promise<Organization | null> {
    return this.repo().findOneBy({ id });
  }

  findBySlug(slug: string): Promise<Organization | null> {
    return this.repo().findOneBy({ slug });
  }

  /** The organization registered before any other. */
  findFirstRegistered(): Promise<Organization | null> {
    return this.repo()
      .createQueryBuilder('organization')
      .orderBy('organization.createdAt', 'ASC')
      .addOrderBy('organization.id', 'ASC')
      .limit(1)
      .getOne();
  }

  async slugExists(slug: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager).existsBy({ slug });
  }
}
