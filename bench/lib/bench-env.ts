/** What every benchmarked Switchboard (and baseline) is configured with, production-like. */
export const TWILIO = {
  TWILIO_AUTH_TOKEN: 'bench-twilio-auth-token-0123456789',
  TWILIO_ACCOUNT_SID: `AC${'b2'.repeat(16)}`,
  PUBLIC_BASE_URL: 'https://switchboard.bench.test',
};

/** The bearer token benchmarks scrape /metrics with. */
export const METRICS_TOKEN = 'bench-metrics-token-0123456789';

export function switchboardEnv(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JWT_SECRET: 'bench-jwt-secret-0123456789-0123456789-0123456789',
    DATABASE_URL: databaseUrl,
    // Benchmarks measure throughput, not the per-caller and per-account protections.
    TWILIO_RATE_LIMIT: '100000000',
    AUTH_RATE_LIMIT: '100000',
    ADMIN_RATE_LIMIT: '100000',
    MAX_CONCURRENT_CALLS: '100000000',
    SHUTDOWN_DRAIN_TIMEOUT: '2',
    ...TWILIO,
    ...extra,
  };
}

export interface BenchOptions {
  json: boolean;
  minutes: number;
  /** Shorter runs, for trying the harness (results are not comparable). */
  quick: boolean;
  /** Run Switchboard under --cpu-prof and summarise where its time went. */
  profile: boolean;
}
