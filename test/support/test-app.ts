import type { Abstract, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { register } from 'prom-client';
import { PassThrough } from 'node:stream';
import { AppModule } from '../../src/app.module';
import { configureApp, createFastifyAdapter } from '../../src/app.setup';
import { LOG_DESTINATION } from '../../src/common/logging/logging.module';
import { AppConfig, loadConfig } from '../../src/config/app-config';

export const TEST_JWT_SECRET = 'test-secret-0123456789-0123456789-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Where the app listens, when created with `listen: true` (WebSocket tests need a real port). */
  baseUrl: string;
  /** Every JSON log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * Boots the real AppModule on Fastify against the test database (see global-setup), wired exactly as `main.ts`
 * wires production; `env` overrides variables for this app only.
 */
export async function createTestApp(
  env: Record<string, string | undefined> = {},
  options: {
    imports?: Type[];
    listen?: boolean;
    /** Providers replaced by another instance of our own classes (e.g. a registry named as another instance). */
    providers?: [token: Abstract<unknown> | Type | string | symbol, value: unknown][];
  } = {},
): Promise<TestApp> {
  // prom-client keeps metrics in a process-wide registry; each app registers its own afresh.
  register.clear();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    JWT_SECRET: TEST_JWT_SECRET,
    // Suites share one IP (loopback); the throttling suite lowers this for its own app.
    AUTH_RATE_LIMIT: '10000',
    ADMIN_RATE_LIMIT: '10000',
    // A closing test app waits for live work no longer than this.
    SHUTDOWN_DRAIN_TIMEOUT: '2',
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const builder = Test.createTestingModule({
    imports: [AppModule.register(config), ...(options.imports ?? [])],
  })
    .overrideProvider(LOG_DESTINATION)
    .useValue(destination);
  for (const [token, value] of options.providers ?? [])
    builder.overrideProvider(token).useValue(value);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config),
    {
      logger: false,
    },
  );
  configureApp(app, config);
  let baseUrl = '';
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return { app, config, baseUrl, logs, close: () => app.close() };
}
