import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const handle = globalThis.__switchboardEmbeddedDb;
  if (!handle) return;
  await handle.stop();
  await fs.rm(path.dirname(handle.dataDir), { recursive: true, force: true });
}
