import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

/** The shared ioredis client, or null when REDIS_URL is unset (features then use in-process state). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export type RedisClient = Redis | null;

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client?.quit().catch(() => this.client?.disconnect());
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfig],
      useFactory: (config: AppConfig): RedisClient => {
        if (!config.redis.url) return null;
        const logger = new Logger('Redis');
        const client = new Redis(config.redis.url, {
          lazyConnect: false,
          maxRetriesPerRequest: 2,
          connectTimeout: 5_000,
          retryStrategy: (times) => Math.min(times * 200, 5_000),
        });
        let lastError = '';
        client.on('error', (error: Error) => {
          // ioredis reports every reconnect attempt; one line per distinct failure is enough.
          if (error.message !== lastError) logger.warn(`Redis error: ${error.message}`);
          lastError = error.message;
        });
        client.on('ready', () => {
          lastError = '';
          logger.log('Connected to Redis');
        });
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
