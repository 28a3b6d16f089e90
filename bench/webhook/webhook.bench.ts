import { BenchOptions, switchboardEnv, TWILIO } from '../lib/bench-env';
import { freshDatabase } from '../lib/database';
import { runScript, Server, startScriptServer, startSwitchboard, usageOf } from '../lib/processes';
import { profileDirectory } from '../lib/profiles';
import { summariseProfile } from '../lib/profile-summary';
import { BenchResult, progress } from '../lib/report';
import { seedTenant } from '../lib/seed';
import { round } from '../lib/stats';

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const CONNECTIONS = 50;

/**
 * The Twilio voice webhook (signature, call and customer upsert, TwiML) under autocannon at 50 connections,
 * against a bare Fastify + pg handler doing the same work, one after the other on the same database.
 */
export async function webhookBench(options: BenchOptions): Promise<BenchResult> {
  const seconds = options.quick ? 5 : 15;
  const databaseUrl = await freshDatabase('switchboard_bench_webhook');
  const load = (url: string, to: string, duration: number) =>
    runScript<LoadResult>(
      'webhook/webhook-load.ts',
      [url, to, String(CONNECTIONS), String(duration)],
      (duration + 60) * 1000,
      TWILIO,
    );

  // Warm-up (JIT, pools, caches), then the measured run with the server's CPU over it.
  const measure = async (server: Server, name: string, to: string) => {
    await load(server.url, to, 3);
    progress(`webhook: ${name} under load for ${seconds} s`);
    const before = usageOf(server.pid).cpuSeconds;
    const result = await load(server.url, to, seconds);
    return { result, cpu: (usageOf(server.pid).cpuSeconds - before) / seconds };
  };

  progress('webhook: starting Switchboard');
  const profile = profileDirectory(options, 'webhook');
  const switchboard = await startSwitchboard(switchboardEnv(databaseUrl), 3710, profile);
  let tenant;
  let switchboardRun;
  try {
    tenant = await seedTenant(switchboard.url);
    switchboardRun = await measure(switchboard, 'Switchboard', tenant.number);
  } finally {
    await switchboard.stop();
  }

  progress('webhook: starting the bare Fastify + pg baseline');
  const baseline = await startScriptServer('webhook/webhook-baseline.ts', 3711, {
    DATABASE_URL: databaseUrl,
    ...TWILIO,
  });
  let baselineRun;
  try {
    baselineRun = await measure(baseline, 'baseline', tenant.number);
  } finally {
    await baseline.stop();
  }
  const { result: ours, cpu: ourCpu } = switchboardRun;
  const { result: bare, cpu: bareCpu } = baselineRun;

  const ratio = ours.rps / bare.rps;
  const row = (name: string, result: LoadResult, cpu: number) => ({
    server: name,
    'req/s': round(result.rps, 0),
    'p50 ms': result.p50,
    'p99 ms': result.p99,
    'non-2xx': result.non2xx + result.errors + result.timeouts,
    'server cpu': round(cpu, 2),
  });
  return {
    name: 'webhook',
    method: `autocannon, ${CONNECTIONS} connections, ${seconds} s each, distinct CallSids and callers, same database`,
    table: [row('switchboard', ours, ourCpu), row('baseline', bare, bareCpu)],
    targets: [
      {
        figure: 'req/s ratio (switchboard / baseline)',
        value: round(ratio, 2),
        target: '>= 0.7',
        met: ratio >= 0.7,
      },
      { figure: 'switchboard p99 ms', value: ours.p99, target: '< 20', met: ours.p99 < 20 },
      {
        figure: 'failed requests',
        value: ours.non2xx + ours.errors + ours.timeouts,
        target: '0',
        met: ours.non2xx + ours.errors + ours.timeouts === 0,
      },
    ],
    details: {
      switchboard: ours,
      baseline: bare,
      ...(profile && { profile: summariseProfile(profile) }),
    },
  };
}
