import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { REDIS_CLIENT, type RedisClient } from '../../../database/redis.module';
import { timed } from './with-timeout';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  get configured(): boolean {
    return this.redis !== null;
  }

  async check(key = 'redis', timeoutMs = 1_000) {
    const session = this.health.check(key);
    const client = this.redis;
    if (!client) return session.up({ configured: false });
    try {
      const latencyMs = await timed(() => client.ping(), timeoutMs);
      return session.up({ latencyMs });
    } catch (error) {
      return session.down({ message: (error as Error).message, connection: client.status });
    }
  }
}
