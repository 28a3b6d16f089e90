import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { INSTANCE_ID } from '../lifecycle/instance-id';
import { providerStatusOf } from '../resilience/retryable-error';
import { ShutdownService } from '../lifecycle/shutdown.service';
import type { Job } from './job.entity';
import { JobsRepository, NewJob } from './jobs.repository';

export interface JobContext {
  job: Job;
  /** Aborted when the process stops mid-job: the job is given back to the queue, not failed. */
  signal: AbortSignal;
}

export interface JobHandler {
  run(context: JobContext): Promise<void>;
  /** How long one attempt may hold the job before another worker may take it over. */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;
const KEEP_DONE_DAYS = 7;

/**
 * Runs durable background jobs on this instance: handlers register per job type, jobs are claimed from the
 * `jobs` table, retried with jittered exponential backoff, and failed for good (with the error kept) after their
 * attempts. On shutdown it stops claiming, lets running jobs finish within the drain, and hands the rest back.
 */
@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, JobHandler>();
  private readonly running = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly jobs: JobsRepository,
    private readonly shutdown: ShutdownService,
  ) {}

  register(type: string, handler: JobHandler): void {
    this.handlers.set(type, handler);
  }

  /** Queues a job (once per dedupe key) and, when this instance runs jobs, looks for work at once. */
  async enqueue(job: NewJob): Promise<boolean> {
    const created = await this.jobs.enqueue(job);
    if (created) this.kick();
    return created;
  }

  /** Cancels work not started yet, e.g. a forgotten caller's pending summary. */
  cancelQueued(organizationId: string, match: Record<string, unknown>): Promise<number> {
    return this.jobs.cancelQueued(organizationId, match);
  }

  onModuleInit(): void {
    this.shutdown.register({
      name: 'background jobs',
      inFlight: () => this.running.size,
      forceStop: () => this.abortRunning(),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.jobs.concurrency === 0) {
      this.logger.log('Background jobs are not run on this instance (JOB_CONCURRENCY=0)');
      return;
    }
    this.timer = setInterval(() => this.kick(), this.config.jobs.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
    await this.abortRunning();
  }

  /** Looks for runnable jobs now (coalesced: one poll at a time, one more if asked meanwhile). */
  kick(): void {
    if (this.stopped || this.config.jobs.concurrency === 0 || this.shutdown.isShuttingDown) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.poll()
      .catch((error: unknown) => this.logger.warn(`Could not poll for jobs: ${String(error)}`))
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.kick();
        }
      });
  }

  private async poll(): Promise<void> {
    const free = this.config.jobs.concurrency - this.running.size;
    if (free <= 0 || this.handlers.size === 0) return;
    const leaseMs = Math.max(
      ...[...this.handlers.values()].map((handler) => handler.leaseMs ?? DEFAULT_LEASE_MS),
    );
    const claimed = await this.jobs.claim([...this.handlers.keys()], INSTANCE_ID, free, leaseMs);
    for (const job of claimed) void this.execute(job);
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      const pruned = await this.jobs.prune(KEEP_DONE_DAYS);
      if (pruned > 0) this.logger.log(`Pruned ${pruned} finished job(s)`);
    }
  }

  private async execute(job: Job): Promise<void> {
    const handler = this.handlers.get(job.type)!;
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const started = Date.now();
    try {
      await handler.run({ job, signal: controller.signal });
      await this.jobs.complete(job.id);
      this.logger.log(`Job ${job.type} ${job.id} done in ${Date.now() - started} ms`);
    } catch (error) {
      if (controller.signal.aborted) return; // handed back in abortRunning
      const message = error instanceof Error ? error.message : String(error);
      const retryable =
        job.attempts < job.maxAttempts && !(error as { permanent?: boolean }).permanent;
      const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (job.attempts - 1));
      const retryInMs = retryable ? Math.round(delay / 2 + Math.random() * (delay / 2)) : undefined;
      await this.jobs
        .fail(job.id, message, retryInMs)
        .catch((writeError: unknown) =>
          this.logger.error(`Could not record the failure of job ${job.id}: ${String(writeError)}`),
        );
      if (retryInMs === undefined)
        this.logger.error(
          `Job ${job.type} ${job.id} failed for good after ${job.attempts} attempt(s): ${message}`,
        );
      else
        this.logger.warn(
          `Job ${job.type} ${job.id} failed (attempt ${job.attempts}/${job.maxAttempts}), retrying in ${retryInMs} ms: ${message}`,
        );
    } finally {
      this.running.delete(job.id);
      if (!controller.signal.aborted) this.kick();
    }
  }

  private async abortRunning(): Promise<void> {
    if (this.running.size === 0) return;
    const ids = [...this.running.keys()];
    for (const controller of this.running.values()) controller.abort(new Error('shutting down'));
    this.running.clear();
    await this.jobs
      .release(ids)
      .catch((error: unknown) => this.logger.warn(`Could not hand back jobs: ${String(error)}`));
    this.logger.warn(`Handed ${ids.length} unfinished job(s) back to the queue`);
  }
}

/** Thrown by a handler when retrying cannot help (bad input): the job fails at once. */
export class PermanentJobError extends Error {
  readonly permanent = true;
}

/**
 * Whether retrying cannot help: errors marked permanent, and provider answers that say the request itself is
 * wrong (4xx other than 408 and 429). Anything else (outages, timeouts, a database hiccup) is retried.
 */
export function isPermanentJobError(error: unknown): boolean {
  if ((error as { permanent?: unknown } | null)?.permanent === true) return true;
  const status = providerStatusOf(error);
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}
