import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { KeysetPosition } from '../../../common/pagination/cursor';
import { AgentVariant } from './agent-variant.entity';
import { Agent } from './agent.entity';

export type AgentFields = Partial<
  Omit<Agent, 'id' | 'organizationId' | 'organization' | 'createdAt' | 'updatedAt'>
>;
export type VariantFields = Partial<
  Pick<
    AgentVariant,
    'name' | 'weight' | 'systemPrompt' | 'persona' | 'firstMessage' | 'voice' | 'model'
  >
>;

/** Agents and their A/B variants, always within one organization. */
@Injectable()
export class AgentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(Agent);
  }

  private get variants() {
    return this.dataSource.getRepository(AgentVariant);
  }

  findById(organizationId: string, id: string): Promise<Agent | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  create(organizationId: string, fields: AgentFields & { name: string }): Promise<Agent> {
    return this.repo.save(this.repo.create({ ...fields, organizationId }));
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  list(organizationId: string, limit: number, after?: KeysetPosition): Promise<Agent[]> {
    const query = this.repo
      .createQueryBuilder('agent')
      .where('agent.organization_id = :organizationId', { organizationId })
      .orderBy('agent.created_at', 'DESC')
      .addOrderBy('agent.id', 'DESC')
      .take(limit);
    if (after) query.andWhere('(agent.created_at, agent.id) < (:at, :id)', after);
    return query.getMany();
  }

  async update(organizationId: string, id: string, fields: AgentFields): Promise<void> {
    if (Object.keys(fields).length === 0) return;
    await this.repo.update({ organizationId, id }, fields);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ organizationId, id });
    return (result.affected ?? 0) > 0;
  }

  listVariants(organizationId: string, agentId: string): Promise<AgentVariant[]> {
    return this.variants.find({
      where: { organizationId, agentId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  findVariant(organizationId: string, agentId: string, id: string): Promise<AgentVariant | null> {
    return this.variants.findOneBy({ organizationId, agentId, id });
  }

  createVariant(
    organizationId: string,
    agentId: string,
    fields: VariantFields & { name: string },
  ): Promise<AgentVariant> {
    return this.variants.save(this.variants.create({ ...fields, organizationId, agentId }));
  }

  async updateVariant(organizationId: string, agentId: string, id: string, fields: VariantFields) {
    if (Object.keys(fields).length === 0) return;
    await this.variants.update({ organizationId, agentId, id }, fields);
  }

  async deleteVariant(organizationId: string, agentId: string, id: string): Promise<boolean> {
    const result = await this.variants.delete({ organizationId, agentId, id });
    return (result.affected ?? 0) > 0;
  }
}
