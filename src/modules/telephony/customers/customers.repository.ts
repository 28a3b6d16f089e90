import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { hydrate } from '../../../database/hydrate';
import { Customer } from './customer.entity';

@Injectable()
export class CustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Customer);
  }

  /** The caller of a new call: created on first contact, its last_seen_at moved on every later one. */
  async recordContact(organizationId: string, phone: string, at: Date): Promise<Customer> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `INSERT INTO customers (organization_id, phone, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $3)
       ON CONFLICT (organization_id, phone) DO UPDATE SET last_seen_at = GREATEST(customers.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING *`,
      [organizationId, phone, at],
    );
    return hydrate(this.dataSource, Customer, rows[0]);
  }

  findById(organizationId: string, id: string): Promise<Customer | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  /** Newest contact first, keyset-paginated on (last_seen_at, id). */
  list(
    organizationId: string,
    limit: number,
    after?: { at: Date; id: string },
  ): Promise<Customer[]> {
    const query = this.repo
      .createQueryBuilder('customer')
      .where('customer.organization_id = :organizationId', { organizationId })
      .orderBy('customer.last_seen_at', 'DESC')
      .addOrderBy('customer.id', 'DESC')
      .take(limit);
    if (after) {
      query.andWhere('(customer.last_seen_at, customer.id) < (:at, :id)', after);
    }
    return query.getMany();
  }
}
