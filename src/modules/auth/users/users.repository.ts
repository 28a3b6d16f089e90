import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { User } from './user.entity';

/**
 * Users, always within one organization: every method that reads or changes tenant data takes the
 * organization id and filters by it, so another organization's user is simply not found.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(User);
  }

  /** Login looks a user up by email before any organization is known: emails are unique across them. */
  findByEmailForLogin(email: string): Promise<User | null> {
    return this.repo()
      .createQueryBuilder('user')
      .innerJoinAndSelect('user.organization', 'organization')
      .where('lower(user.email) = lower(:email)', { email })
      .getOne();
  }

  async emailExists(email: string, manager?: EntityManager): Promise<boolean> {
    return this.repo(manager)
      .createQueryBuilder('user')
      .where('lower(user.email) = lower(:email)', { email })
      .getExists();
  }

  findById(organizationId: string, id: string): Promise<User | null> {
    return this.repo().findOne({
      where: { organizationId, id },
      relations: { organization: true },
    });
  }

  list(organizationId: string): Promise<User[]> {
    return this.repo().find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  create(
    organizationId: string,
    fields: Pick<User, 'email' | 'passwordHash' | 'role'>,
    manager?: EntityManager,
  ): Promise<User> {
    const repo = this.repo(manager);
    return repo.save(repo.create({ ...fields, organizationId }));
  }

  async update(
    organizationId: string,
    id: string,
    patch: Partial<Pick<User, 'role' | 'disabledAt' | 'passwordHash' | 'lastLoginAt'>>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update({ organizationId, id }, patch);
  }

  async delete(organizationId: string, id: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).delete({ organizationId, id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts the organization's active owners and locks their rows until the transaction ends: two owners
   * demoting each other at once must not both count two and leave none (the second waits, then counts one).
   */
  async lockActiveOwners(organizationId: string, manager: EntityManager): Promise<number> {
    const owners = await this.repo(manager)
      .createQueryBuilder('owner')
      .select('owner.id')
      .where('owner.organizationId = :organizationId', { organizationId })
      .andWhere("owner.role = 'owner'")
      .andWhere('owner.disabledAt IS NULL')
      .setLock('pessimistic_write')
      .getMany();
    return owners.length;
  }
}
