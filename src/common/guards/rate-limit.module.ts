import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../database/redis.module';
import { RATE_LIMITERS } from './rate-limit.guard';

const MINUTE_MS = 60_000;

/** Limiter definitions; counters live in Redis when REDIS_URL is set (shared by instances), else in memory. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: RedisClient) => ({
        throttlers: [
          { name: RATE_LIMITERS.authPerIp, ttl: MINUTE_MS, limit: config.auth.rateLimitPerMinute },
          {
            name: RATE_LIMITERS.authPerAccount,
            ttl: MINUTE_MS,
            limit: config.auth.rateLimitPerMinute,
          },
          {
            name: RATE_LIMITERS.adminPerPrincipal,
            ttl: MINUTE_MS,
            limit: config.auth.adminRateLimitPerMinute,
          },
        ],
        ...(redis && { storage: new ThrottlerStorageRedisService(redis) }),
      }),
    }),
  ],
  exports: [ThrottlerModule],
})
export class RateLimitModule {}
