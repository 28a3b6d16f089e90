import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { StdoutLogDestination } from './stdout-log-destination';

const ROOT = path.resolve(__dirname, '../../..');

// A child process owns its stdout: it writes through the destination, shuts down as Nest does on SIGTERM
// (hooks, then the signal raised again, so no exit handler runs), and its output is read back whole.
function runChild(script: string) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe(StdoutLogDestination.name, () => {
  it('loses no line, and keeps their order, when the process ends by re-raising SIGTERM', () => {
    const child = runChild(`
      const { StdoutLogDestination } = require('./src/common/logging/stdout-log-destination');
      const sut = new StdoutLogDestination();
      for (let i = 0; i < 5000; i++) sut.write('buffered ' + i + '\\n');
      sut.onApplicationShutdown();
      sut.write('after shutdown\\n');
      process.kill(process.pid, 'SIGTERM');
    `);

    expect(child.signal).toBe('SIGTERM');
    const lines = child.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5001);
    expect(lines.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, i) => `buffered ${i}`));
    expect(lines[5000]).toBe('after shutdown');
  });
});
