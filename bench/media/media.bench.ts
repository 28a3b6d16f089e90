import { BenchOptions, METRICS_TOKEN, switchboardEnv, TWILIO } from '../lib/bench-env';
import { freshDatabase, waitForJobs } from '../lib/database';
import { scrape } from '../lib/metrics';
import { runScript, Server, startScriptServer, startSwitchboard, usageOf } from '../lib/processes';
import { ProviderStandIn } from '../lib/provider-stand-in';
import { profileDirectory } from '../lib/profiles';
import { summariseProfile } from '../lib/profile-summary';
import { BenchResult, progress } from '../lib/report';
import { seedTenant } from '../lib/seed';
import { round } from '../lib/stats';

interface LoadResult {
  calls: number;
  connected: number;
  failures: number;
  sent: number;
  received: number;
  dropouts: number;
  senderLatenessP99: number;
}

interface Step {
  calls: number;
  /** Share of inbound frames handled within 20 ms of their place in the stream's timeline. */
  within20ms: number;
  lost: number;
  cpuCores: number;
  rssMiB: number;
  senderLatenessP99: number;
  ok: boolean;
  /** The load generator itself fell behind: the step says nothing about the server. */
  generatorLimited: boolean;
  /** Switchboard: how long the step's post-call jobs ran on after its calls ended. */
  jobsDrainSeconds?: number;
}

const LAG_OK = 'switchboard_media_inbound_lag_seconds_bucket{le="0.02"}';
const LAG_COUNT = 'switchboard_media_inbound_lag_seconds_count';
const INBOUND = 'switchboard_media_frames_total{direction="inbound"}';
/** Bounds the wait for a step's post-call jobs (1,600 calls' at 10 a second take under three minutes). */
const JOB_DRAIN_TIMEOUT_MS = 240_000;

/** Runs one load step against a server and judges it. */
async function step(
  server: Server,
  calls: number,
  seconds: number,
  counters: () => Promise<{ ok: number; count: number; frames: number }>,
  to: string,
  mode: 'switchboard' | 'baseline',
): Promise<Step> {
  const before = await counters();
  const cpuBefore = usageOf(server.pid).cpuSeconds;
  let rss = 0;
  const sampler = setInterval(() => (rss = Math.max(rss, usageOf(server.pid).rssBytes)), 500);
  const started = Date.now();
  const load = await runScript<LoadResult>(
    'media/media-load.ts',
    [server.url, mode, String(calls), String(seconds), to],
    (seconds + 120) * 1000,
    TWILIO,
  );
  clearInterval(sampler);
  const cpuCores = (usageOf(server.pid).cpuSeconds - cpuBefore) / ((Date.now() - started) / 1000);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const after = await counters();
  const handled = after.frames - before.frames;
  const within20ms = (after.ok - before.ok) / Math.max(1, after.count - before.count);
  const lost = load.sent - handled + load.failures + load.dropouts;
  const generatorLimited = load.senderLatenessP99 > 10;
  return {
    calls,
    within20ms,
    lost,
    cpuCores,
    rssMiB: rss / 2 ** 20,
    senderLatenessP99: load.senderLatenessP99,
    ok: within20ms >= 0.99 && lost === 0,
    generatorLimited,
  };
}

/**
 * Switchboard's N against the baseline's. When the baseline's search did not end on a step the baseline itself
 * failed (it passed every step, or the load generator fell behind first) its N is only a lower bound, so the
 * ratio is an upper bound: it can show the target missed, never met.
 */
function ratioTarget(oursN: number, bare: Awaited<ReturnType<typeof search>>) {
  const bareN = bare.best?.calls ?? 0;
  const ratio = bareN === 0 ? 0 : oursN / bareN;
  const bound = bare.ceiling
    ? 'the baseline passed every step'
    : bare.steps.some((step) => step.generatorLimited && step.calls > bareN)
      ? `the load generator fell behind above ${bareN} calls (the baseline used ${round(bare.best?.cpuCores ?? 0, 2)} cores at ${bareN})`
      : undefined;
  const target = '>= 0.5';
  const figure = 'ratio to the baseline N';
  if (bound && ratio >= 0.5) {
    return {
      figure: `${figure} (an upper bound)`,
      value: round(ratio, 2),
      target,
      met: null,
      why: `${bound}, so its N is a lower bound`,
    };
  }
  return {
    figure: bound ? `${figure} (an upper bound)` : figure,
    value: round(ratio, 2),
    target,
    met: bareN > 0 && ratio >= 0.5,
  };
}

/** The largest load that passes: doubling-ish steps until one fails, then one step halfway back. */
async function search(
  run: (calls: number) => Promise<Step>,
  ladder: number[],
): Promise<{ best?: Step; steps: Step[]; ceiling: boolean }> {
  const steps: Step[] = [];
  let best: Step | undefined;
  for (const calls of ladder) {
    const result = await run(calls);
    steps.push(result);
    progress(
      `media: ${calls} calls → ${round(result.within20ms * 100, 2)}% within 20 ms, ${result.lost} lost, ` +
        `${round(result.cpuCores, 2)} cores${result.generatorLimited ? ' (load generator fell behind)' : ''}`,
    );
    if (!result.ok || result.generatorLimited) {
      const previous = best?.calls ?? 0;
      const middle = Math.round((previous + calls) / 2 / 10) * 10;
      // Also when the generator fell behind: at the smaller step it may not.
      if (middle > previous && middle < calls) {
        const retry = await run(middle);
        steps.push(retry);
        progress(
          `media: ${middle} calls → ${round(retry.within20ms * 100, 2)}% within 20 ms, ${retry.lost} lost`,
        );
        if (retry.ok && !retry.generatorLimited) best = retry;
      }
      return { best, steps, ceiling: false };
    }
    best = result;
  }
  // Every step passed: the server's limit lies above the ladder, and its N is a lower bound.
  return { best, steps, ceiling: true };
}

/**
 * N concurrent simulated Twilio media streams at real-time pace through the full pipeline (speech-to-text,
 * the agent, text-to-speech via stand-ins of fixed latency), against a bare ws server that only decodes mu-law
 * and runs the same VAD. The figure: the largest N whose inbound frames are 99% handled within 20 ms of their
 * place in the stream's timeline, with none lost.
 */
export async function mediaBench(options: BenchOptions): Promise<BenchResult> {
  const seconds = options.quick ? 5 : 10;
  const ladder = options.quick
    ? [25, 50, 100]
    : [50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1600];
  const providers = new ProviderStandIn({ sttMs: 150, llmMs: 200, ttsMs: 100 });
  await providers.start();
  try {
    progress('media: baseline (bare ws server: decode + VAD)');
    const baseline = await startScriptServer('media/media-baseline.ts', 3731);
    let bare: Awaited<ReturnType<typeof search>>;
    try {
      const counters = async () => {
        const stats = (await (await fetch(`${baseline.url}/stats`)).json()) as {
          frames: number;
          counts: number[];
        };
        return {
          ok: stats.counts.slice(0, 4).reduce((a, b) => a + b, 0),
          count: stats.frames,
          frames: stats.frames,
        };
      };
      bare = await search(
        (calls) => step(baseline, calls, seconds, counters, '', 'baseline'),
        ladder,
      );
    } finally {
      await baseline.stop();
    }

    progress('media: Switchboard (full pipeline)');
    const databaseUrl = await freshDatabase('switchboard_bench_media');
    const profile = profileDirectory(options, 'media');
    const switchboard = await startSwitchboard(
      switchboardEnv(databaseUrl, {
        ...providers.env(),
        METRICS_TOKEN,
        LOG_LEVEL: 'warn',
        DB_POOL_SIZE: '20',
      }),
      3730,
      profile,
    );
    let ours: Awaited<ReturnType<typeof search>>;
    try {
      const tenant = await seedTenant(switchboard.url, { firstMessage: '' });
      const counters = async () => {
        const metrics = await scrape(switchboard.url, METRICS_TOKEN);
        return {
          ok: metrics.get(LAG_OK) ?? 0,
          count: metrics.get(LAG_COUNT) ?? 0,
          frames: metrics.get(INBOUND) ?? 0,
        };
      };
      // Warm-up, discarded: first calls load lazily required code and fill connection pools.
      await runScript(
        'media/media-load.ts',
        [switchboard.url, 'switchboard', '5', '5', tenant.number],
        120_000,
        TWILIO,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const idleRss = usageOf(switchboard.pid).rssBytes;
      ours = await search(async (calls) => {
        const result = await step(
          switchboard,
          calls,
          seconds,
          counters,
          tenant.number,
          'switchboard',
        );
        // Every call of the step ended at once and queued its post-call job (about 10 a second run with the
        // default JOB_CONCURRENCY): that backlog runs out before the next step, which would otherwise measure
        // its calls together with the summaries of the last step's. Then the ended calls' writes settle.
        const jobs = await waitForJobs(databaseUrl, JOB_DRAIN_TIMEOUT_MS);
        if (jobs.left > 0)
          progress(
            `media: ${jobs.left} post-call jobs still queued after ${round(jobs.seconds)} s`,
          );
        await new Promise((resolve) => setTimeout(resolve, 3000));
        return {
          ...result,
          rssMiB: result.rssMiB - idleRss / 2 ** 20,
          jobsDrainSeconds: round(jobs.seconds, 1),
        };
      }, ladder);
    } finally {
      await switchboard.stop();
    }

    const oursN = ours.best?.calls ?? 0;
    // N per core of CPU the server used at that N (one Node process uses at most about one core).
    const perCore = ours.best ? oursN / ours.best.cpuCores : 0;
    const row = (name: string, result: typeof ours) => ({
      server: name,
      'max calls': `${result.best?.calls ?? 0}${result.ceiling ? '+' : ''}`,
      'within 20 ms': result.best ? `${round(result.best.within20ms * 100, 2)}%` : '-',
      'cpu cores': result.best ? round(result.best.cpuCores, 2) : '-',
      'cpu %/call': result.best ? round((result.best.cpuCores * 100) / result.best.calls, 3) : '-',
      'RSS MiB/call':
        result.best && name === 'switchboard'
          ? round(result.best.rssMiB / result.best.calls, 3)
          : '-',
      'limited by generator': result.steps.some((s) => s.generatorLimited) ? 'yes' : 'no',
    });
    return {
      name: 'media',
      method: `real-time Twilio media streams (call-4-turns looped), ${seconds} s per step, stand-in providers (STT 150 ms, LLM 200 ms, TTS 100 ms)`,
      table: [row('switchboard', ours), row('baseline', bare)],
      targets: [
        {
          figure: 'calls per core',
          value: round(perCore, 0),
          target: '>= 200',
          met: perCore >= 200,
        },
        ratioTarget(oursN, bare),
      ],
      details: {
        switchboardSteps: ours.steps,
        baselineSteps: bare.steps,
        ...(profile && { profile: summariseProfile(profile) }),
      },
    };
  } finally {
    await providers.stop();
  }
}
