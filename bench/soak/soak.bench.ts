import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { BenchOptions, METRICS_TOKEN, switchboardEnv, TWILIO } from '../lib/bench-env';
import { freshDatabase, waitForJobs } from '../lib/database';
import { heapSnapshotFlags, liveHeap, type LiveHeap } from '../lib/heap-snapshot';
import { scrape } from '../lib/metrics';
import { runScript, startSwitchboard, usageOf } from '../lib/processes';
import { ProviderStandIn } from '../lib/provider-stand-in';
import { BenchResult, progress } from '../lib/report';
import { seedTenant } from '../lib/seed';
import { round, slope } from '../lib/stats';

const CONCURRENT = 40;
const CALL_SECONDS = 15;
const SAMPLE_EVERY_MS = 10_000;
/** Calls a memory or loop-delay slope must span before it is judged. */
const MIN_CALLS_FOR_SLOPE = 1000;
const FINAL_SETTLE_MS = 15_000;
/** Bounds the wait for a wave's post-call jobs. */
const JOB_DRAIN_TIMEOUT_MS = 60_000;

interface Sample {
  atSeconds: number;
  calls: number;
  rssMiB: number;
  heapMiB: number;
  loopDelayP99Ms: number;
  /** Taken between two waves, with no call live: what the server keeps once calls are over. */
  betweenWaves: boolean;
}

/**
 * Continuous simulated calls (40 at a time, 15 s each, back to back) for --minutes: RSS, heap and event-loop
 * delay sampled every 10 s against the number of calls served, and once between every two waves. Memory is
 * judged on the between-waves samples: mid-wave samples measure the live calls, which come and go, while what
 * a finished call leaves behind accumulates between waves. A per-call leak shows as a slope.
 */
export async function soakBench(options: BenchOptions): Promise<BenchResult> {
  const minutes = options.quick ? 1 : options.minutes;
  const providers = new ProviderStandIn({ sttMs: 150, llmMs: 200, ttsMs: 100 });
  await providers.start();
  const databaseUrl = await freshDatabase('switchboard_bench_soak');
  const snapshots = mkdtempSync(path.join(os.tmpdir(), 'switchboard-soak-'));
  const switchboard = await startSwitchboard(
    switchboardEnv(databaseUrl, { ...providers.env(), METRICS_TOKEN, LOG_LEVEL: 'warn' }),
    3750,
    undefined,
    heapSnapshotFlags(snapshots),
  );
  const samples: Sample[] = [];
  // The live heap (after a full GC) once warm and at the end: the exact measure of what calls leave behind.
  const heaps: { calls: number; atSeconds: number; heap: LiveHeap }[] = [];
  const stalls: [number, number][] = [];
  try {
    const tenant = await seedTenant(switchboard.url, { firstMessage: '' });
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const started = Date.now();
    const deadline = started + minutes * 60_000;
    const sample = async (betweenWaves: boolean) => {
      const metrics = await scrape(switchboard.url, METRICS_TOKEN);
      const served = await client.query<{ count: string }>(
        `SELECT count(*) FROM calls WHERE ended_at IS NOT NULL`,
      );
      const entry: Sample = {
        atSeconds: Math.round((Date.now() - started) / 1000),
        calls: Number(served.rows[0].count),
        rssMiB: round(usageOf(switchboard.pid).rssBytes / 2 ** 20, 1),
        heapMiB: round((metrics.get('switchboard_nodejs_heap_size_used_bytes') ?? 0) / 2 ** 20, 1),
        loopDelayP99Ms: round(
          (metrics.get('switchboard_nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000,
          1,
        ),
        betweenWaves,
      };
      samples.push(entry);
      progress(
        `soak: ${entry.atSeconds} s, ${entry.calls} calls, RSS ${entry.rssMiB} MiB, heap ${entry.heapMiB} MiB, ` +
          `loop p99 ${entry.loopDelayP99Ms} ms${betweenWaves ? ' (between waves)' : ''}`,
      );
    };
    const sampler = setInterval(
      () =>
        void sample(false).catch((error: Error) =>
          progress(`soak: sample failed: ${error.message}`),
        ),
      SAMPLE_EVERY_MS,
    );
    const snapshot = async () => {
      const served = await client.query<{ count: string }>(
        `SELECT count(*) FROM calls WHERE ended_at IS NOT NULL`,
      );
      const from = (Date.now() - started) / 1000;
      const heap = await liveHeap(switchboard.pid, snapshots);
      // A snapshot stops the server for seconds: this scrape takes that stall out of the loop-delay window,
      // and samples taken while it lasted are left out of the loop-delay slope.
      await scrape(switchboard.url, METRICS_TOKEN);
      stalls.push([from, (Date.now() - started) / 1000 + 1]);
      heaps.push({
        calls: Number(served.rows[0].count),
        atSeconds: Math.round((Date.now() - started) / 1000),
        heap,
      });
      progress(`soak: live heap after GC ${round(heap.bytes / 2 ** 20, 1)} MiB`);
    };
    try {
      // Waves of calls, back to back, until the time is up (each wave bounded in time by the generator).
      while (Date.now() + CALL_SECONDS * 1000 < deadline) {
        await runScript(
          'media/media-load.ts',
          [switchboard.url, 'switchboard', String(CONCURRENT), String(CALL_SECONDS), tenant.number],
          (CALL_SECONDS + 120) * 1000,
          TWILIO,
        );
        // The wave's post-call jobs run out (40 calls' take about 4 s) and its last writes settle before the
        // between-waves sample: it should see what the finished calls left behind, not work still running.
        await waitForJobs(databaseUrl, JOB_DRAIN_TIMEOUT_MS);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await sample(true);
        if (heaps.length === 0 && Date.now() - started >= (deadline - started) / 3)
          await snapshot();
      }
    } finally {
      clearInterval(sampler);
    }
    // Post-call jobs and finalizers of the last wave settle first: the snapshot should see what calls left
    // behind, not what is still finishing.
    await waitForJobs(databaseUrl, JOB_DRAIN_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, FINAL_SETTLE_MS));
    await snapshot();
    await client.end();
  } finally {
    await switchboard.stop();
    await providers.stop();
    rmSync(snapshots, { recursive: true, force: true });
  }
  // The first third warms up (JIT, pools, caches); growth after it is what a leak looks like.
  const steady = (of: Sample[]) => of.slice(Math.floor(of.length / 3));
  const perThousand = (of: Sample[], pick: (sample: Sample) => number) =>
    slope(steady(of).map((entry) => ({ x: entry.calls / 1000, y: pick(entry) })));
  // Writing a heap snapshot raises RSS for good (the snapshot's own buffers): memory slopes start after it.
  const snapshotAt = heaps[0]?.atSeconds ?? 0;
  const troughs = samples.filter(
    (entry) => entry.betweenWaves && (heaps.length < 2 || entry.atSeconds > snapshotAt),
  );
  const periodic = samples.filter(
    (entry) =>
      !entry.betweenWaves &&
      !stalls.some(([from, to]) => entry.atSeconds >= from && entry.atSeconds <= to),
  );
  // A slope over a few hundred calls is noise (one GC more or less moves the heap by tens of MiB): the 2-minute
  // default shows the harness works; `--minutes 30` gives slopes worth judging (15 served 1,480 calls once
  // each wave waited for its post-call jobs, and only 600 between the samples the slopes use).
  const span = (of: Sample[]) => {
    const judged = steady(of);
    return judged.length < 2 ? 0 : judged[judged.length - 1].calls - judged[0].calls;
  };
  const judgeSlope = (of: Sample[], value: number) => {
    const calls = span(of);
    return calls < MIN_CALLS_FOR_SLOPE
      ? {
          met: null,
          why: `over ${calls} calls; a slope needs ${MIN_CALLS_FOR_SLOPE} (run --minutes 30)`,
        }
      : { met: Number.isFinite(value) && value < 5 };
  };
  const rssSlope = perThousand(troughs, (entry) => entry.rssMiB);
  const heapSlope = perThousand(troughs, (entry) => entry.heapMiB);
  const loopSlope = perThousand(periodic, (entry) => entry.loopDelayP99Ms);
  const calls = samples.at(-1)?.calls ?? 0;
  const [warm, last] = [heaps[0], heaps.at(-1)];
  const callsBetween = warm && last ? last.calls - warm.calls : 0;
  const retainedPerThousand =
    warm && last && last.calls > warm.calls
      ? (last.heap.bytes - warm.heap.bytes) / 2 ** 20 / ((last.calls - warm.calls) / 1000)
      : Number.NaN;
  // What grew most, by live object count: where a leak would show its type.
  const grew =
    warm && last
      ? [...last.heap.counts]
          .map(([name, count]) => ({ name, growth: count - (warm.heap.counts.get(name) ?? 0) }))
          .sort((a, b) => b.growth - a.growth)
          .slice(0, 8)
      : [];
  return {
    name: 'soak',
    method: `${minutes} min of continuous calls (${CONCURRENT} at a time, ${CALL_SECONDS} s each); samples every 10 s and between waves; slopes over the last two thirds (memory: between-waves samples; loop delay: periodic ones)`,
    table: samples.map((entry) => ({
      s: entry.atSeconds,
      calls: entry.calls,
      'RSS MiB': entry.rssMiB,
      'heap MiB': entry.heapMiB,
      'loop p99 ms': entry.loopDelayP99Ms,
      when: entry.betweenWaves ? 'between waves' : 'periodic',
    })),
    targets: [
      { figure: 'calls served', value: calls, target: '> 0', met: calls > 0 },
      {
        figure: 'RSS slope MiB per 1,000 calls',
        value: round(rssSlope, 2),
        target: '~0 (no growth with calls)',
        ...judgeSlope(troughs, rssSlope),
      },
      {
        // A leak keeps something of every call: some type's live count grows with the calls served.
        figure: 'live objects of the most-grown type, per call served',
        value: callsBetween > 0 ? round((grew[0]?.growth ?? 0) / callsBetween, 4) : Number.NaN,
        // A leak adds about one object per call; a few objects either way are caches and pools settling.
        target: '< 0.01 (beyond 10 objects)',
        met: callsBetween > 0 && (grew[0]?.growth ?? 0) < Math.max(10, callsBetween * 0.01),
      },
      {
        figure: 'live heap after GC, MiB per 1,000 calls',
        value: round(retainedPerThousand, 3),
        target: '< 2 (compiled code and caches settle)',
        // What settles is a fixed amount, not a per-call one: spread over a short run's few calls it reads as
        // growth per call. There the object counts above are the measure.
        ...(callsBetween < MIN_CALLS_FOR_SLOPE
          ? {
              met: null,
              why: `over ${callsBetween} calls; a rate per 1,000 calls needs ${MIN_CALLS_FOR_SLOPE} (run --minutes 30)`,
            }
          : { met: Number.isFinite(retainedPerThousand) && retainedPerThousand < 2 }),
      },
      {
        figure: 'heap slope MiB per 1,000 calls',
        value: round(heapSlope, 2),
        target: '~0',
        ...judgeSlope(troughs, heapSlope),
      },
      {
        figure: 'loop delay p99 slope ms per 1,000 calls',
        value: round(loopSlope, 2),
        target: '~0',
        ...judgeSlope(periodic, loopSlope),
      },
    ],
    details: {
      liveHeap: heaps.map(({ calls: served, heap }) => ({
        calls: served,
        MiB: round(heap.bytes / 2 ** 20, 2),
      })),
      grewMost: grew,
    },
  };
}
