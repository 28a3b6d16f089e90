import { spawn } from 'node:child_process';
import { switchboardEnv, TWILIO } from '../lib/bench-env';
import { freshDatabase } from '../lib/database';
import { runScript } from '../lib/processes';
import { seedTenant } from '../lib/seed';

async function main() {
  const db = await freshDatabase('switchboard_bench_prof');
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'dist/src/main.js'],
    {
      cwd: '/work/main',
      env: { PATH: process.env.PATH!, ...switchboardEnv(db), PORT: '3720', HOST: '127.0.0.1' },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch('http://127.0.0.1:3720/health/ready')).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  const tenant = await seedTenant('http://127.0.0.1:3720');
  const r = await runScript(
    'webhook/webhook-load.ts',
    ['http://127.0.0.1:3720', tenant.number, '50', '10'],
    60000,
    TWILIO,
  );
  console.log(JSON.stringify(r));
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
}
void main();
