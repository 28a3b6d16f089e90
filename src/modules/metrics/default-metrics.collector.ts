import { Injectable, OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';

export const METRICS_PREFIX = 'switchboard_';

/**
 * Registers Node's process metrics (CPU, memory, event loop, GC) under the `switchboard_` prefix once per
 * registry: prom-client refuses duplicate registration, and an app may be created more than once per process.
 */
@Injectable()
export class DefaultMetricsCollector implements OnModuleInit {
  onModuleInit(): void {
    if (register.getSingleMetric(`${METRICS_PREFIX}process_cpu_user_seconds_total`)) return;
    collectDefaultMetrics({ prefix: METRICS_PREFIX });
  }
}
