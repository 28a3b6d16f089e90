import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { startErrorReporting } from './error-reporting';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * Runs `body` in a Node process of its own with this module loaded as `reporting`: Sentry's SDK hooks the
 * process it starts in, which must not be the test runner's.
 */
async function inChildProcess(body: string): Promise<string> {
  const script = `const reporting = require('./src/common/errors/error-reporting');\n(async () => {\n${body}\n})();`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', script],
    { cwd: ROOT, timeout: 20_000 },
  );
  return stdout.trim();
}

describe(startErrorReporting.name, () => {
  it('leaves the Sentry SDK unloaded without a DSN', async () => {
    const loaded = await inChildProcess(`
      reporting.startErrorReporting({ dsn: '  ', environment: 'test' });
      reporting.reportError(new Error('nowhere to go'));
      console.log(Object.keys(require.cache).filter((file) => file.includes('@sentry')).length);
    `);
    expect(loaded).toBe('0');
  }, 30_000);

  describe('with a DSN', () => {
    let server: Server;
    const envelopes: { path: string; body: string }[] = [];
    beforeAll(async () => {
      // Sentry's ingestion endpoint, on loopback: it takes envelopes, gzipped or not.
      server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const raw = Buffer.concat(chunks);
          const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
          envelopes.push({ path: request.url ?? '', body: body.toString('utf8') });
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it("sends an unexpected error to the DSN's project, and waits for it to leave when flushed", async () => {
      const { port } = server.address() as AddressInfo;
      const flushed = await inChildProcess(`
        reporting.startErrorReporting({ dsn: 'http://publickey@127.0.0.1:${port}/42', environment: 'test' });
        reporting.reportError(new Error('the database went away'));
        console.log(await reporting.flushErrorReports(10000));
      `);

      expect(flushed).toBe('true');
      const event = envelopes.find((envelope) => envelope.body.includes('the database went away'));
      expect(event?.path).toMatch(/^\/api\/42\/envelope\//);
      expect(event?.body).toContain('"environment":"test"');
    }, 30_000);
  });
});
