import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function boot(env: Record<string, string>) {
  return spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src', 'main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
        ...env,
      },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('Boot (e2e)', () => {
  it('stops with one clear message naming every bad variable, and no stack trace', () => {
    const result = boot({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Switchboard could not start.');
    expect(result.stderr).toContain('Invalid configuration: 3 problems');
    expect(result.stderr).toMatch(/- PORT: /);
    expect(result.stderr).toMatch(/- DATABASE_URL: must be a URL starting with postgres:/);
    expect(result.stderr).toMatch(/- LOG_LEVEL: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops clearly when the configured PostgreSQL cannot be reached', () => {
    const result = boot({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      LOG_LEVEL: 'silent',
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Cannot connect to PostgreSQL at 127.0.0.1:1/none');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
