import type { Provider } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { REDIS_CLIENT, type RedisClient } from '../../../database/redis.module';
import { CallQueue } from '../queue/call-queue';
import { MemoryCallQueue } from '../queue/memory-call-queue';
import { RedisCallQueue } from '../queue/redis-call-queue';
import { CallRegistry } from './call-registry';
import { INSTANCE_ID } from '../../../common/lifecycle/instance-id';
import { MemoryCallRegistry } from './memory-call-registry';
import { RedisCallRegistry } from './redis-call-registry';

/** Registry and queue: Redis when REDIS_URL is set (shared across instances), in-process otherwise. */
export const callStateProviders: Provider[] = [
  {
    provide: CallRegistry,
    inject: [AppConfig, REDIS_CLIENT],
    useFactory: (config: AppConfig, redis: RedisClient) => {
      const ttlMs = config.telephony.registryTtlSeconds * 1000;
      return redis
        ? new RedisCallRegistry(redis, INSTANCE_ID, ttlMs)
        : new MemoryCallRegistry(INSTANCE_ID, ttlMs);
    },
  },
  {
    provide: CallQueue,
    inject: [REDIS_CLIENT],
    useFactory: (redis: RedisClient) => (redis ? new RedisCallQueue(redis) : new MemoryCallQueue()),
  },
];
