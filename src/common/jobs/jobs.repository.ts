import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Job } from './job.entity';

export interface NewJob {
  type: string;
  payload: Record<string, unknown>;
  dedupeKey?: string;
  organizationId?: string;
  maxAttempts?: number;
}

/** The job queue's SQL: enqueue once per key, claim under a lease with SKIP LOCKED, settle. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Queues a job; with a dedupe key already queued (or done), nothing changes. Returns whether it was new. */
  async enqueue(job: NewJob, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    const rows = await manager.query<{ id: string }[]>(
      `INSERT INTO jobs (type, dedupe_key, organization_id, payload, max_attempts)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (type, dedupe_key) DO NOTHING
       RETURNING id`,
      [
        job.type,
        job.dedupeKey ?? null,
        job.organizationId ?? null,
        JSON.stringify(job.payload),
        job.maxAttempts ?? 5,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Takes up to `limit` runnable jobs of the given types: queued ones that are due, and running ones whose
   * lease ran out (their worker died). Each claim counts as an attempt.
   */
  async claim(
    types: readonly string[],
    worker: string,
    limit: number,
    leaseMs: number,
  ): Promise<Job[]> {
    if (types.length === 0 || limit <= 0) return [];
    // UPDATE ... RETURNING comes back from TypeORM as [rows, rowCount].
    const [rows] = await this.dataSource.query<[Record<string, unknown>[], number]>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1,
              locked_until = now() + make_interval(secs => $2::double precision / 1000), updated_at = now()
       WHERE id IN (
         SELECT id FROM jobs
         WHERE type = ANY($3)
           AND ((status = 'queued' AND run_after <= now()) OR (status = 'running' AND locked_until < now()))
         ORDER BY run_after
         LIMIT $4
         FOR UPDATE SKIP LOCKED)
       RETURNING id, type, organization_id, payload, attempts, max_attempts`,
      [worker, leaseMs, types, limit],
    );
    return rows.map((row) =>
      Object.assign(new Job(), {
        id: row.id as string,
        type: row.type as string,
        organizationId: row.organization_id as string | null,
        payload: row.payload as Record<string, unknown>,
        attempts: row.attempts as number,
        maxAttempts: row.max_attempts as number,
      }),
    );
  }

  async complete(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET status = 'done', locked_until = NULL, last_error = NULL, finished_at = now(), updated_at = now()
       WHERE id = $1`,
      [id],
    );
  }

  /** A failed attempt: retried after `retryInMs`, or failed for good once its attempts are spent. */
  async fail(id: string, error: string, retryInMs: number | undefined): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET
         status = CASE WHEN $3::double precision IS NULL THEN 'failed' ELSE 'queued' END,
         run_after = CASE WHEN $3::double precision IS NULL THEN run_after
                          ELSE now() + make_interval(secs => $3::double precision / 1000) END,
         finished_at = CASE WHEN $3::double precision IS NULL THEN now() ELSE NULL END,
         locked_until = NULL, last_error = $2, updated_at = now()
       WHERE id = $1`,
      [id, error.slice(0, 2000), retryInMs ?? null],
    );
  }

  /** Gives back jobs this worker was stopped in the middle of, without spending their attempt. */
  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE jobs SET status = 'queued', attempts = GREATEST(attempts - 1, 0), locked_until = NULL,
              locked_by = NULL, updated_at = now()
       WHERE id = ANY($1) AND status = 'running'`,
      [ids],
    );
  }

  /** Drops queued (not yet running) jobs of an organization whose payload contains `match`. */
  async cancelQueued(organizationId: string, match: Record<string, unknown>): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM jobs WHERE organization_id = $1 AND status = 'queued' AND payload @> $2::jsonb`,
      [organizationId, JSON.stringify(match)],
    );
    return count;
  }

  /** Finished jobs are history; keep a week of it. */
  async prune(olderThanDays: number): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM jobs WHERE status = 'done' AND finished_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return count;
  }
}
