import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { ExperimentsRepository, VariantFigures } from './experiments.repository';

export interface VariantReport {
  /** null: calls that got the agent itself (before variants existed, or with every variant paused). */
  variantId: string | null;
  name: string;
  weight: number | null;
  calls: number;
  averageTurns: number | null;
  completionRate: number | null;
  averageSentiment: number | null;
}

export interface ExperimentReport {
  agentId: string;
  variants: VariantReport[];
}

const round = (value: number | null) => (value === null ? null : Math.round(value * 1000) / 1000);

/** An agent's A/B experiment: per variant, finished calls, average caller turns, completion and sentiment. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly experiments: ExperimentsRepository,
  ) {}

  async report(organizationId: string, agentId: string): Promise<ExperimentReport> {
    const variants = await this.agents.listVariants(organizationId, agentId);
    const figures = new Map(
      (await this.experiments.figures(organizationId, agentId)).map((row) => [row.variantId, row]),
    );
    const none: Omit<VariantFigures, 'variantId'> = {
      calls: 0,
      averageTurns: null,
      completionRate: null,
      averageSentiment: null,
    };
    const rows: VariantReport[] = variants.map((variant) => ({
      variantId: variant.id,
      name: variant.name,
      weight: variant.weight,
      ...pick(figures.get(variant.id) ?? none),
    }));
    const base = figures.get(null);
    if (base) rows.push({ variantId: null, name: 'base', weight: null, ...pick(base) });
    return { agentId, variants: rows };
  }
}

function pick(figures: Omit<VariantFigures, 'variantId'>) {
  return {
    calls: figures.calls,
    averageTurns: round(figures.averageTurns),
    completionRate: round(figures.completionRate),
    averageSentiment: round(figures.averageSentiment),
  };
}
