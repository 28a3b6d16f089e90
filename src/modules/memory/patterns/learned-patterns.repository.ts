import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toVectorParameter } from '../../../database/vector';
import type { EmbeddingSpace } from '../embeddings/embeddings';

export interface PatternOutcome {
  /** The call whose outcome this is: each call counts once, however often it is reported. */
  callId: string;
  organizationId: string;
  callType: string;
  signature: string;
  persona: string;
  tools: string[];
  success: boolean;
  context?: { vector: readonly number[]; space: EmbeddingSpace };
}

export interface PatternRow {
  id: string;
  persona: string;
  tools: string[];
  successCount: number;
  usageCount: number;
  successRate: number;
  /** Cosine similarity of the pattern's context centroid to the asked context, when both exist and compare. */
  similarity: number | null;
}

/** Learned patterns per organization and call type. */
@Injectable()
export class LearnedPatternsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts one call's outcome against its pattern (created on first use) and moves the context centroid.
   * Returns false when this call had already been counted.
   */
  async recordOutcome(outcome: PatternOutcome): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO learned_patterns (organization_id, call_type, signature, persona, tools)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, call_type, signature) DO NOTHING`,
        [
          outcome.organizationId,
          outcome.callType,
          outcome.signature,
          outcome.persona,
          outcome.tools,
        ],
      );
      const [current] = await manager.query<
        {
          id: string;
          usage_count: number;
          centroid: string | null;
          embedding_model: string | null;
        }[]
      >(
        `SELECT id, usage_count, context_embedding::text AS centroid, embedding_model FROM learned_patterns
         WHERE organization_id = $1 AND call_type = $2 AND signature = $3
         FOR UPDATE`,
        [outcome.organizationId, outcome.callType, outcome.signature],
      );
      const counted = await manager.query<unknown[]>(
        `INSERT INTO learned_pattern_outcomes (call_id, pattern_id, success) VALUES ($1, $2, $3)
         ON CONFLICT (call_id) DO NOTHING
         RETURNING call_id`,
        [outcome.callId, current.id, outcome.success],
      );
      if (counted.length === 0) return false;
      const centroid = nextCentroid(current, outcome.context);
      await manager.query(
        `UPDATE learned_patterns SET
           usage_count = usage_count + 1,
           success_count = success_count + $2,
           success_rate = (success_count + $2)::real / (usage_count + 1),
           context_embedding = COALESCE($3::vector, context_embedding),
           embedding_model = COALESCE($4, embedding_model),
           updated_at = now()
         WHERE id = $1`,
        [
          current.id,
          outcome.success ? 1 : 0,
          centroid ? toVectorParameter(centroid) : null,
          centroid ? outcome.context!.space.model : null,
        ],
      );
      return true;
    });
  }

  /** The patterns of one call type, with their similarity to `context` where it can be computed. */
  async list(
    organizationId: string,
    callType: string,
    context?: { vector: readonly number[]; space: EmbeddingSpace },
  ): Promise<PatternRow[]> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT id, persona, tools, success_count, usage_count, success_rate,
              CASE WHEN $3::vector IS NOT NULL AND embedding_model = $4
                        AND vector_dims(context_embedding) = vector_dims($3::vector)
                   THEN 1 - (context_embedding <=> $3::vector) END AS similarity
       FROM learned_patterns
       WHERE organization_id = $1 AND call_type = $2
       ORDER BY usage_count DESC
       LIMIT 100`,
      [
        organizationId,
        callType,
        context ? toVectorParameter(context.vector) : null,
        context?.space.model ?? null,
      ],
    );
    return rows.map((row) => ({
      id: row.id as string,
      persona: row.persona as string,
      tools: row.tools as string[],
      successCount: Number(row.success_count),
      usageCount: Number(row.usage_count),
      successRate: Number(row.success_rate),
      similarity: row.similarity === null ? null : Number(row.similarity),
    }));
  }
}

/** Running mean of the contexts seen; restarted when the embedding space changed. */
function nextCentroid(
  current: { usage_count: number; centroid: string | null; embedding_model: string | null },
  context: PatternOutcome['context'],
): number[] | undefined {
  if (!context) return undefined;
  const previous = current.centroid ? (JSON.parse(current.centroid) as number[]) : undefined;
  if (
    !previous ||
    current.embedding_model !== context.space.model ||
    previous.length !== context.vector.length
  ) {
    return [...context.vector];
  }
  const n = current.usage_count;
  return previous.map((value, i) => (value * n + context.vector[i]) / (n + 1));
}
