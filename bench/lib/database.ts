import { Client } from 'pg';

/** The PostgreSQL server benchmarks use (pgvector installed): BENCH_DATABASE_URL's server, or the local one. */
export const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, empty database (dropped first if it exists); Switchboard's migrations run at its boot. */
export async function freshDatabase(name: string): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return databaseUrl(name);
}

export async function databaseExists(name: string): Promise<boolean> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const result = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await admin.end();
  }
}

/**
 * Waits (at most `timeoutMs`) until Switchboard's durable job queue in `url` has nothing queued or running, and
 * says how long that took and what was left. Ended calls each queue a post-call job (a summary from the model,
 * a memory stored): a benchmark that ends many calls at once must let that backlog run out before it measures
 * the next load, or the next step pays for the last one's calls.
 */
export async function waitForJobs(
  url: string,
  timeoutMs: number,
): Promise<{ seconds: number; left: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  try {
    for (;;) {
      const result = await client.query<{ left: number }>(
        `SELECT count(*)::int AS "left" FROM jobs WHERE status IN ('queued', 'running')`,
      );
      const left = result.rows[0].left;
      const seconds = (Date.now() - started) / 1000;
      if (left === 0 || Date.now() - started >= timeoutMs) return { seconds, left };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await client.end();
  }
}
