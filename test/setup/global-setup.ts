import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs/promises';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from '../../src/database/embedded-postgres';

declare global {
  var __switchboardEmbeddedDb: EmbeddedPostgresHandle | undefined;
}

/**
 * With DATABASE_URL set the e2e suites use that server. Without it they get a fresh embedded PostgreSQL, started
 * here (outside Jest's module registry, where PGlite's dynamic imports work) and shared through DATABASE_URL.
 */
export default async function globalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  process.env.LOG_LEVEL ??= 'silent';
  if (process.env.DATABASE_URL) return;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchboard-test-'));
  const handle = await startEmbeddedPostgres(dataDir);
  globalThis.__switchboardEmbeddedDb = handle;
  process.env.DATABASE_URL = handle.url;
  process.env.SWITCHBOARD_TEST_EMBEDDED_DB = '1';
}
