import { Client } from 'pg';
import { BenchOptions, switchboardEnv, TWILIO } from '../lib/bench-env';
import { freshDatabase } from '../lib/database';
import { runScript, startSwitchboard } from '../lib/processes';
import { profileDirectory } from '../lib/profiles';
import { summariseProfile } from '../lib/profile-summary';
import { ProviderStandIn } from '../lib/provider-stand-in';
import { BenchResult, progress } from '../lib/report';
import { seedTenant } from '../lib/seed';
import { percentile, round } from '../lib/stats';

const LATENCIES = { sttMs: 150, llmMs: 200, ttsMs: 100, precise: true };

/**
 * The server's own share of a voice turn: from the moment the caller's utterance is complete (the frame that
 * ends it, after the endpointing silence) to the first frame of the reply sent back, minus the stand-in
 * providers' fixed latencies (transcription, first token, first speech bytes). Measured by Switchboard on every
 * turn (`latency.toFirstAudioSentMs`), over real-time simulated calls.
 */
export async function turnBench(options: BenchOptions): Promise<BenchResult> {
  // Ten calls at once, long enough for well over the 200 turns the figure is taken over.
  const calls = options.quick ? 4 : 10;
  const seconds = options.quick ? 20 : 120;
  const providers = new ProviderStandIn(LATENCIES);
  await providers.start();
  const databaseUrl = await freshDatabase('switchboard_bench_turn');
  const profile = profileDirectory(options, 'turn');
  const switchboard = await startSwitchboard(
    switchboardEnv(databaseUrl, {
      ...providers.env(),
      LOG_LEVEL: 'warn',
      // Calls run until the load generator hangs up, not until the default turn limit ends them.
      MAX_TURNS: '10000',
    }),
    3740,
    profile,
  );
  let shares: number[];
  try {
    const tenant = await seedTenant(switchboard.url, { firstMessage: '' });
    await runScript(
      'media/media-load.ts',
      [switchboard.url, 'switchboard', String(calls), '10', tenant.number],
      60_000,
      TWILIO,
    );
    const warmed = new Date();
    progress(`turn: ${calls} real-time calls for ${seconds} s`);
    await runScript(
      'media/media-load.ts',
      [switchboard.url, 'switchboard', String(calls), String(seconds), tenant.number],
      (seconds + 120) * 1000,
      TWILIO,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const rows = await client.query<{ ms: number }>(
        `SELECT (latency->>'toFirstAudioSentMs')::float AS ms FROM call_turns
         WHERE role = 'agent' AND started_at > $1 AND latency ? 'toFirstAudioSentMs'`,
        [warmed],
      );
      const fixed = LATENCIES.sttMs + LATENCIES.llmMs + LATENCIES.ttsMs;
      shares = rows.rows.map((row) => Math.max(0, row.ms - fixed));
    } finally {
      await client.end();
    }
  } finally {
    await switchboard.stop();
    await providers.stop();
  }
  const p50 = percentile(shares, 50);
  const p99 = percentile(shares, 99);
  return {
    name: 'turn',
    method: `${calls} real-time calls x ${seconds} s (call-4-turns looped); server time = end of utterance to first reply frame sent, minus STT ${LATENCIES.sttMs} + LLM ${LATENCIES.llmMs} + TTS ${LATENCIES.ttsMs} ms`,
    table: [
      {
        turns: shares.length,
        'p50 ms': round(p50, 1),
        'p99 ms': round(p99, 1),
        'max ms': round(Math.max(...shares), 1),
      },
    ],
    targets: [
      {
        figure: 'turns measured',
        value: shares.length,
        target: '>= 200',
        met: shares.length >= 200,
      },
      { figure: 'server p99 ms', value: round(p99, 1), target: '< 20', met: p99 < 20 },
    ],
    details: { ...(profile && { profile: summariseProfile(profile) }) },
  };
}
