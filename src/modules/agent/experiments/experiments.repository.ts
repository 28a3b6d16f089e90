import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface VariantFigures {
  variantId: string | null;
  calls: number;
  averageTurns: number | null;
  completionRate: number | null;
  averageSentiment: number | null;
}

/** Per-variant figures of an agent's finished calls, computed in SQL over calls and their caller turns. */
@Injectable()
export class ExperimentsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async figures(organizationId: string, agentId: string): Promise<VariantFigures[]> {
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT call.variant_id,
              count(*)::int AS calls,
              avg(call.turn_count)::float AS average_turns,
              -- Completed: the conversation ended normally, not failed, abandoned to a person or cut by a restart.
              avg(CASE WHEN call.status = 'completed'
                        AND coalesce(call.end_reason, '') NOT IN ('transferred', 'shutdown') THEN 1 ELSE 0 END)::float
                AS completion_rate,
              avg(mood.sentiment)::float AS average_sentiment
       FROM calls call
       LEFT JOIN LATERAL (
         SELECT avg(turn.sentiment) AS sentiment FROM call_turns turn
         WHERE turn.call_id = call.id AND turn.role = 'caller' AND turn.sentiment IS NOT NULL
       ) mood ON true
       WHERE call.organization_id = $1 AND call.agent_id = $2
         AND call.status IN ('completed', 'failed', 'canceled', 'busy', 'no_answer')
       GROUP BY call.variant_id`,
      [organizationId, agentId],
    );
    return rows.map((row) => ({
      variantId: row.variant_id as string | null,
      calls: Number(row.calls),
      averageTurns: row.average_turns === null ? null : Number(row.average_turns),
      completionRate: row.completion_rate === null ? null : Number(row.completion_rate),
      averageSentiment: row.average_sentiment === null ? null : Number(row.average_sentiment),
    }));
  }
}
