/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]` some of them.
 * Flags: --json (one JSON line per result on stdout), --minutes N (soak length, default 2), --quick (short
 * runs to try the harness; not comparable), --profile (Switchboard under --cpu-prof; the profile and its
 * summary land in bench/results/profiles/<name>/). Results go to bench/results/<name>.json.
 */
import { parseArgs } from 'node:util';
import type { BenchOptions } from './lib/bench-env';
import { BenchResult, publish } from './lib/report';
import { mediaBench } from './media/media.bench';
import { memoryBench } from './memory/memory.bench';
import { soakBench } from './soak/soak.bench';
import { turnBench } from './turn/turn.bench';
import { webhookBench } from './webhook/webhook.bench';

const BENCHES: Record<string, (options: BenchOptions) => Promise<BenchResult>> = {
  webhook: webhookBench,
  media: mediaBench,
  turn: turnBench,
  memory: memoryBench,
  soak: soakBench,
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      minutes: { type: 'string', default: '2' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const unknown = positionals.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`,
    );
    process.exit(2);
  }
  const minutes = Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 240) {
    process.stderr.write('--minutes must be a number of minutes between 0 and 240\n');
    process.exit(2);
  }
  const options: BenchOptions = {
    json: values.json,
    minutes,
    quick: values.quick,
    profile: values.profile,
  };
  let failed = false;
  for (const name of positionals.length > 0 ? positionals : Object.keys(BENCHES)) {
    try {
      publish(await BENCHES[name](options), options.json);
    } catch (error) {
      failed = true;
      process.stderr.write(`[bench] ${name} failed: ${(error as Error).stack ?? String(error)}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
