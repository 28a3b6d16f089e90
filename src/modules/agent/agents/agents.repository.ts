import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Agent } from './agent.entity';

/** Agents, always within one organization. */
@Injectable()
export class AgentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Agent);
  }

  findById(organizationId: string, id: string): Promise<Agent | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  create(
    organizationId: string,
    fields: Partial<Omit<Agent, 'id' | 'organizationId'>> & { name: string },
  ) {
    return this.repo.save(this.repo.create({ ...fields, organizationId }));
  }
}
