import { loadConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';

describe(loadConfig.name, () => {
  it('gives every variable its documented default when the environment is empty', () => {
    const sut = loadConfig({});

    expect(sut.env).toBe('development');
    expect(sut.server.port).toBe(3000);
    expect(sut.server.host).toBe('0.0.0.0');
    expect(sut.server.dataDir).toMatch(/data$/);
    expect(sut.database.url).toBeUndefined();
    expect(sut.database.migrationsRun).toBe(true);
    expect(sut.redis.url).toBeUndefined();
    expect(sut.resilience).toEqual({
      maxAttempts: 4,
      backoffInitialMs: 500,
      backoffMaxMs: 8000,
      timeoutMs: 10000,
      streamIdleTimeoutMs: 15000,
      breakerThreshold: 5,
      halfOpenAfterMs: 30000,
    });
    expect(sut.logging.pretty).toBe(true);
    expect(sut.features.metrics).toBe(true);
  });

  it('parses numbers, booleans and URLs into the typed tree', () => {
    const sut = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-at-least-32-bytes',
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://voice.example.com/',
      DATABASE_URL: 'postgres://u@db:5432/sb',
      DB_MIGRATIONS_RUN: 'false',
      ENABLE_CALL_QUEUE: '1',
      SHUTDOWN_DRAIN_TIMEOUT: '2.5',
    });

    expect(sut.server.port).toBe(8080);
    expect(sut.server.publicBaseUrl).toBe('https://voice.example.com');
    expect(sut.server.shutdownDrainTimeoutMs).toBe(2500);
    expect(sut.database.url).toBe('postgres://u@db:5432/sb');
    expect(sut.database.migrationsRun).toBe(false);
    expect(sut.features.callQueue).toBe(true);
    expect(sut.logging.pretty).toBe(false);
  });

  it('parses token lifetimes given in seconds or with a unit', () => {
    const sut = loadConfig({
      JWT_ACCESS_TTL: '600',
      JWT_REFRESH_TTL: '30d',
      JWT_REFRESH_REUSE_GRACE: '2.5s',
    });

    expect(sut.auth.accessTtlSeconds).toBe(600);
    expect(sut.auth.refreshTtlSeconds).toBe(30 * 86400);
    expect(sut.auth.refreshReuseGraceMs).toBe(2500);
    expect(loadConfig({}).auth).toMatchObject({ accessTtlSeconds: 900, refreshTtlSeconds: 604800 });
  });

  it('requires a JWT secret in production, and of at least 32 bytes anywhere', () => {
    expect(captureError(() => loadConfig({ NODE_ENV: 'production' })).message).toContain(
      'JWT_SECRET: is required in production',
    );
    expect(captureError(() => loadConfig({ JWT_SECRET: 'too-short' })).message).toContain(
      'JWT_SECRET: must be at least 32 bytes',
    );
    expect(loadConfig({ NODE_ENV: 'development' }).auth.secret).toBeUndefined();
  });

  it('requires both PEM keys for ES256', () => {
    const error = captureError(() =>
      loadConfig({ JWT_ALGORITHM: 'ES256', JWT_PUBLIC_KEY: 'nope' }),
    );
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'JWT_PRIVATE_KEY',
      'JWT_PUBLIC_KEY',
    ]);
  });

  it('treats empty strings of optional variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '  ' }).database.url).toBeUndefined();
  });

  it('names every invalid variable and why in one error', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        NODE_ENV: 'staging',
        DATABASE_URL: 'mysql://root@db/x',
        ENABLE_METRICS: 'maybe',
        METRICS_TOKEN: 'short',
      });

    expect(attempt).toThrow(ConfigValidationError);
    const error = captureError(attempt);
    expect(error.issues.map((issue) => issue.variable).sort()).toEqual([
      'DATABASE_URL',
      'ENABLE_METRICS',
      'METRICS_TOKEN',
      'NODE_ENV',
      'PORT',
    ]);
    expect(error.message).toContain('PORT:');
    expect(error.message).toContain('ENABLE_METRICS: must be one of true, false');
    expect(error.message).toContain('"eighty"');
  });

  it('never echoes the value of a secret-like variable', () => {
    const error = captureError(() => loadConfig({ METRICS_TOKEN: 'hunter2' }));

    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('got 7 characters');
  });
});

function captureError(fn: () => unknown): ConfigValidationError {
  try {
    fn();
  } catch (error) {
    return error as ConfigValidationError;
  }
  throw new Error('expected an error');
}
