import { Client } from 'pg';
import { BootError } from '../common/errors/boot-error';

/**
 * Checks, before TypeORM starts, that PostgreSQL is reachable and has pgvector available, so a misconfigured
 * deployment fails in one line that says what is wrong instead of after a minute of retries.
 */
export async function verifyDatabase(url: string, ssl: boolean): Promise<void> {
  const client = new Client({
    connectionString: url,
    ssl: ssl ? { rejectUnauthorized: true } : false,
    connectionTimeoutMillis: 10_000,
  });
  const where = describeTarget(url);
  try {
    await client.connect();
  } catch (error) {
    throw new BootError(
      `Cannot connect to PostgreSQL at ${where}: ${describeError(error)}. Check DATABASE_URL, or unset it ` +
        'to use the embedded database.',
      { cause: error },
    );
  }
  try {
    const { rows } = await client.query<{ installed: string | null }>(
      "SELECT installed_version AS installed FROM pg_available_extensions WHERE name = 'vector'",
    );
    if (rows.length === 0) {
      throw new BootError(
        `PostgreSQL at ${where} does not have the pgvector extension available. Install pgvector 0.8 on the ` +
          'server (see README, "Running against real PostgreSQL") and restart.',
      );
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join('; ');
  const code = (error as { code?: string }).code;
  const message = (error as Error).message || String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
