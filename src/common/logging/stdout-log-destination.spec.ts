import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { StdoutLogDestination } from './stdout-log-destination';

const ROOT = path.resolve(__dirname, '../../..');

// A child process owns its stdout: it writes through the destination, ends the way the test says, and its
// output is read back whole.
function runChild(script: string) {
  return spawnSync(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-e',
      `const { StdoutLogDestination } = require('./src/common/logging/stdout-log-destination');
       const sut = new StdoutLogDestination();
       ${script}`,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
  );
}

const numbered = (count: number) => Array.from({ length: count }, (_, i) => `buffered ${i}`);

describe(StdoutLogDestination.name, () => {
  it('loses no line, and keeps their order, when the process ends by re-raising SIGTERM', () => {
    // As Nest does on SIGTERM: shutdown hooks, then the signal raised again, so no exit handler runs.
    const child = runChild(`
      for (let i = 0; i < 5000; i++) sut.write('buffered ' + i + '\\n');
      sut.onApplicationShutdown();
      sut.write('after shutdown\\n');
      process.kill(process.pid, 'SIGTERM');
    `);

    expect(child.signal).toBe('SIGTERM');
    const lines = child.stdout.trimEnd().split('\n');
    expect(lines).toEqual([...numbered(5000), 'after shutdown']);
  });

  it('writes out what is buffered when the process exits on its own (process.exit, a fatal error)', () => {
    const child = runChild(`
      for (let i = 0; i < 3; i++) sut.write('buffered ' + i + '\\n');
      process.exit(3);
    `);

    expect(child.status).toBe(3);
    expect(child.stdout.trimEnd().split('\n')).toEqual(numbered(3));
  });

  it('writes a quiet moment’s few lines within a second, without waiting for a batch to fill', () => {
    // SIGKILL runs no handler at all: what reaches stdout was written by the periodic flush.
    const child = runChild(`
      sut.write('one line\\n');
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1600);
    `);

    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toBe('one line\n');
  });

  it('holds small lines back until a batch fills, rather than writing each', () => {
    const child = runChild(`
      sut.write('held\\n');
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 200);
    `);

    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toBe('');
  });
});
