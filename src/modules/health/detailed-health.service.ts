import { Injectable } from '@nestjs/common';
import { version as NEST_VERSION } from '@nestjs/core/package.json';
import { version as APP_VERSION } from '../../../package.json';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ShutdownService } from '../../common/lifecycle/shutdown.service';
import { ResilienceFactory } from '../../common/resilience/resilience.factory';
import { CallQueue } from '../telephony/queue/call-queue';
import { CallRegistry } from '../telephony/registry/call-registry';
import { CallSessionManager } from '../telephony/session/call-session.manager';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { RedisHealthIndicator } from './indicators/redis.health';

export interface DependencyStatus {
  status: 'up' | 'down';
  [detail: string]: unknown;
}

export interface DetailedHealthReport {
  status: 'ok' | 'degraded' | 'shutting_down';
  uptimeSeconds: number;
  versions: Record<string, string | null>;
  dependencies: Record<string, DependencyStatus>;
  circuits: Record<string, string>;
  calls: { liveOnThisInstance: number; admittedOnThisInstance: number; queued: number };
  process: { pid: number; rssBytes: number; heapUsedBytes: number; eventLoopUtilization: number };
}

@Injectable()
export class DetailedHealthService {
  private readonly startedAt = Date.now();
  private serverVersions: Record<string, string | null> | undefined;

  constructor(
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly shutdown: ShutdownService,
    private readonly resilience: ResilienceFactory,
    private readonly sessions: CallSessionManager,
    private readonly registry: CallRegistry,
    private readonly queue: CallQueue,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async report(): Promise<DetailedHealthReport> {
    const [database, redis] = await Promise.all([this.database.check(), this.redis.check()]);
    const dependencies = { ...database, ...redis } as Record<string, DependencyStatus>;
    const allUp = Object.values(dependencies).every((dependency) => dependency.status === 'up');
    const memory = process.memoryUsage();
    return {
      status: this.shutdown.isShuttingDown ? 'shutting_down' : allUp ? 'ok' : 'degraded',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      versions: {
        switchboard: APP_VERSION,
        node: process.version,
        nestjs: NEST_VERSION,
        ...(await this.databaseVersions()),
      },
      dependencies,
      circuits: this.resilience.circuitStates(),
      calls: {
        liveOnThisInstance: this.sessions.liveCount,
        admittedOnThisInstance: await this.registry.countLocal(),
        queued: await this.queue.size(),
      },
      process: {
        pid: process.pid,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        eventLoopUtilization:
          Math.round(performance.eventLoopUtilization().utilization * 1000) / 1000,
      },
    };
  }

  private async databaseVersions(): Promise<Record<string, string | null>> {
    if (this.serverVersions) return this.serverVersions;
    try {
      const [row] = await this.dataSource.query<{ postgres: string; pgvector: string | null }[]>(
        "SELECT current_setting('server_version') AS postgres, " +
          "(SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector",
      );
      this.serverVersions = { postgres: row.postgres, pgvector: row.pgvector };
      return this.serverVersions;
    } catch {
      return { postgres: null, pgvector: null };
    }
  }
}
