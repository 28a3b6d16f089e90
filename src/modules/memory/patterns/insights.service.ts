import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Embeddings } from '../embeddings/embeddings';
import { LearnedPatternsRepository, PatternRow } from './learned-patterns.repository';

export interface Recommendation {
  persona: string;
  tools: string[];
  /** 0..1: the lower bound of the success rate's 95% interval for learned patterns; a fixed prior for rules. */
  confidence: number;
  successRate: number | null;
  sampleSize: number;
}

export interface Insight {
  callType: string;
  basis: 'learned' | 'rules';
  recommendation: Recommendation;
  /** Other learned patterns worth knowing about, best first. */
  alternatives: Recommendation[];
}

// Calls a pattern needs before it is trusted over the rules.
const MIN_SAMPLE = 3;
const RULES_CONFIDENCE = 0.3;

/** What to do when nothing has been learned yet: sensible defaults per kind of call. */
const RULES: Record<string, { persona: string; tools: string[] }> = {
  support: {
    persona:
      'Patient and reassuring; confirms the problem in the caller’s words before solving it.',
    tools: ['knowledge_search', 'remember', 'transfer_to_human', 'end_call'],
  },
  sales: {
    persona: 'Warm and concise; asks one question at a time and never pushes.',
    tools: ['knowledge_search', 'calculator', 'remember', 'end_call'],
  },
  scheduling: {
    persona: 'Efficient and precise; repeats dates and times back to the caller.',
    tools: ['calculator', 'remember', 'end_call'],
  },
  billing: {
    persona: 'Calm and exact with numbers; explains each charge step by step.',
    tools: ['calculator', 'knowledge_search', 'transfer_to_human', 'end_call'],
  },
  general: {
    persona: 'Friendly and brief; answers first, then offers more help.',
    tools: ['knowledge_search', 'remember', 'transfer_to_human', 'end_call'],
  },
};

/**
 * Learns which persona and tools work for each kind of call: every call's outcome is counted against the
 * pattern it used, and recommendations rank patterns by how surely they succeed (Wilson lower bound), nudged
 * towards those whose past calls resemble the context. With too little data, the rules answer.
 */
@Injectable()
export class InsightsService {
  constructor(
    private readonly patterns: LearnedPatternsRepository,
    private readonly embeddings: Embeddings,
  ) {}

  /** Counts a finished call towards its pattern; false when that call was already counted. */
  async recordOutcome(input: {
    callId: string;
    organizationId: string;
    callType: string;
    persona: string;
    tools: readonly string[];
    success: boolean;
    context?: string;
  }): Promise<boolean> {
    const tools = [...new Set(input.tools)].sort();
    const vector = input.context ? (await this.embeddings.embed([input.context]))[0] : undefined;
    return this.patterns.recordOutcome({
      callId: input.callId,
      organizationId: input.organizationId,
      callType: input.callType,
      signature: patternSignature(input.persona, tools),
      persona: input.persona,
      tools,
      success: input.success,
      context: vector ? { vector, space: this.embeddings.space } : undefined,
    });
  }

  async recommend(organizationId: string, callType: string, context?: string): Promise<Insight> {
    const vector = context ? (await this.embeddings.embed([context]))[0] : undefined;
    const rows = await this.patterns.list(
      organizationId,
      callType,
      vector ? { vector, space: this.embeddings.space } : undefined,
    );
    const ranked = rows
      .filter((row) => row.usageCount >= MIN_SAMPLE)
      .map((row) => ({ row, rank: rankOf(row) }))
      .sort((a, b) => b.rank - a.rank)
      .map(({ row }) => toRecommendation(row));
    if (ranked.length === 0) {
      const rule = RULES[callType] ?? RULES.general;
      return {
        callType,
        basis: 'rules',
        recommendation: {
          persona: rule.persona,
          tools: rule.tools,
          confidence: RULES_CONFIDENCE,
          successRate: null,
          sampleSize: 0,
        },
        alternatives: [],
      };
    }
    return {
      callType,
      basis: 'learned',
      recommendation: ranked[0],
      alternatives: ranked.slice(1, 4),
    };
  }
}

export function patternSignature(persona: string, tools: readonly string[]): string {
  return createHash('sha256')
    .update(`${persona.trim()}\n${[...tools].sort().join(',')}`)
    .digest('hex');
}

/** Lower bound of the Wilson score interval (95%): a success rate discounted for small samples. */
export function wilsonLowerBound(successes: number, total: number): number {
  if (total === 0) return 0;
  const z = 1.96;
  const p = successes / total;
  const denominator = 1 + (z * z) / total;
  const centre = p + (z * z) / (2 * total);
  const margin = z * Math.sqrt((p * (1 - p) + (z * z) / (4 * total)) / total);
  return Math.max(0, (centre - margin) / denominator);
}

function rankOf(row: PatternRow): number {
  const confidence = wilsonLowerBound(row.successCount, row.usageCount);
  // A context that resembles the pattern's past calls counts for up to a third more.
  return row.similarity === null ? confidence : confidence * (1 + Math.max(0, row.similarity) / 3);
}

function toRecommendation(row: PatternRow): Recommendation {
  return {
    persona: row.persona,
    tools: row.tools,
    confidence: Math.round(wilsonLowerBound(row.successCount, row.usageCount) * 1000) / 1000,
    successRate: Math.round(row.successRate * 1000) / 1000,
    sampleSize: row.usageCount,
  };
}
