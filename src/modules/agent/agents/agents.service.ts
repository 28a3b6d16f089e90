import { Injectable } from '@nestjs/common';
import { decodeCursor, Page, toPage } from '../../../common/pagination/cursor';
import type { PageQuery } from '../../../common/pagination/page-query.dto';
import { uniqueViolation } from '../../../database/postgres-errors';
import { AgentErrors } from '../agent.errors';
import type { AgentVariant } from './agent-variant.entity';
import type { Agent } from './agent.entity';
import { AgentFields, AgentsRepository } from './agents.repository';
import type {
  CreateAgentDto,
  CreateVariantDto,
  UpdateAgentDto,
  UpdateVariantDto,
} from './dto/agent.dto';
import { applyVariant, pickVariant } from './variant-assignment';

export type AgentWithVariants = Agent & { variants: AgentVariant[] };

/** The agent as one call or chat gets it: variant applied, and which variant that was. */
export interface AgentProfile {
  agent: Agent;
  variant: AgentVariant | null;
}

/** Agents and their A/B variants: configuration, and which variant a call gets. */
@Injectable()
export class AgentsService {
  constructor(private readonly agents: AgentsRepository) {}

  async create(organizationId: string, input: CreateAgentDto): Promise<AgentWithVariants> {
    const agent = await this.agents.create(organizationId, {
      ...toFields(input),
      name: input.name,
    });
    return { ...agent, variants: [] };
  }

  async list(organizationId: string, query: PageQuery): Promise<Page<Agent>> {
    const limit = query.limit ?? 25;
    const rows = await this.agents.list(organizationId, limit + 1, decodeCursor(query.cursor));
    return toPage(rows, limit, (agent) => ({ at: agent.createdAt, id: agent.id }));
  }

  async get(organizationId: string, id: string): Promise<AgentWithVariants> {
    const agent = await this.require(organizationId, id);
    return { ...agent, variants: await this.agents.listVariants(organizationId, id) };
  }

  async update(
    organizationId: string,
    id: string,
    input: UpdateAgentDto,
  ): Promise<AgentWithVariants> {
    await this.require(organizationId, id);
    await this.agents.update(organizationId, id, toFields(input));
    return this.get(organizationId, id);
  }

  async remove(organizationId: string, id: string): Promise<void> {
    if (!(await this.agents.delete(organizationId, id))) throw AgentErrors.agentNotFound();
  }

  async require(organizationId: string, id: string): Promise<Agent> {
    const agent = await this.agents.findById(organizationId, id);
    if (!agent) throw AgentErrors.agentNotFound();
    return agent;
  }

  async listVariants(organizationId: string, agentId: string): Promise<AgentVariant[]> {
    await this.require(organizationId, agentId);
    return this.agents.listVariants(organizationId, agentId);
  }

  async createVariant(
    organizationId: string,
    agentId: string,
    input: CreateVariantDto,
  ): Promise<AgentVariant> {
    await this.require(organizationId, agentId);
    try {
      return await this.agents.createVariant(organizationId, agentId, {
        ...input,
        weight: input.weight ?? 1,
      });
    } catch (error) {
      if (uniqueViolation(error)) throw AgentErrors.variantNameTaken();
      throw error;
    }
  }

  async updateVariant(
    organizationId: string,
    agentId: string,
    id: string,
    input: UpdateVariantDto,
  ): Promise<AgentVariant> {
    await this.requireVariant(organizationId, agentId, id);
    try {
      await this.agents.updateVariant(organizationId, agentId, id, input);
    } catch (error) {
      if (uniqueViolation(error)) throw AgentErrors.variantNameTaken();
      throw error;
    }
    return this.requireVariant(organizationId, agentId, id);
  }

  async removeVariant(organizationId: string, agentId: string, id: string): Promise<void> {
    if (!(await this.agents.deleteVariant(organizationId, agentId, id)))
      throw AgentErrors.variantNotFound();
  }

  /**
   * The agent a call talks to: its recorded variant if it already has one, else one picked by weight from the
   * call id (the caller records it).
   */
  async profileForCall(
    organizationId: string,
    agentId: string,
    callId: string,
    assignedVariantId: string | null,
  ): Promise<AgentProfile | null> {
    const agent = await this.agents.findById(organizationId, agentId);
    if (!agent) return null;
    const variants = await this.agents.listVariants(organizationId, agentId);
    const variant =
      variants.find((candidate) => candidate.id === assignedVariantId) ??
      pickVariant(variants, callId);
    return { agent: applyVariant(agent, variant), variant };
  }

  /** The agent a chat test talks to: a named variant, or the agent itself. */
  async profileForChat(
    organizationId: string,
    agentId: string,
    variantId?: string,
  ): Promise<AgentProfile> {
    const agent = await this.require(organizationId, agentId);
    if (!variantId) return { agent, variant: null };
    const variant = await this.requireVariant(organizationId, agentId, variantId);
    return { agent: applyVariant(agent, variant), variant };
  }

  private async requireVariant(
    organizationId: string,
    agentId: string,
    id: string,
  ): Promise<AgentVariant> {
    const variant = await this.agents.findVariant(organizationId, agentId, id);
    if (!variant) throw AgentErrors.variantNotFound();
    return variant;
  }
}

function toFields(input: UpdateAgentDto): AgentFields {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
