import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BootError } from '../common/errors/boot-error';
import { VECTOR_SESSION_SETTINGS } from './vector';

export interface EmbeddedPostgresHandle {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL in this process (PGlite, compiled to WebAssembly, with pgvector) and serves it on a
 * loopback port so the ordinary `pg` driver and TypeORM use exactly the code path of a real server.
 * PGlite is single-connection: callers must use a pool of one and keep transactions short.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgresHandle> {
  const directory = path.join(dataDir, 'pglite');
  await fs.mkdir(directory, { recursive: true });
  try {
    // PGlite ships as ESM with a CJS build that itself uses dynamic import(): load it the ESM way.
    const { PGlite } = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const db = await PGlite.create({ dataDir: directory, extensions: { vector } });
    // PGlite is one session shared by every socket connection: its settings are set here, once.
    for (const [name, value] of Object.entries(VECTOR_SESSION_SETTINGS))
      await db.query(`SELECT set_config($1, $2, false)`, [name, value]);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await server.start();
    const port = (server as unknown as { port: number }).port;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      dataDir: directory,
      stop: async () => {
        await server.stop();
        await db.close();
      },
    };
  } catch (error) {
    throw new BootError(
      `Could not start the embedded PostgreSQL in ${directory}: ${(error as Error).message}. ` +
        'Check that DATA_DIR is writable and not used by another Switchboard process, or set DATABASE_URL.',
      { cause: error },
    );
  }
}
