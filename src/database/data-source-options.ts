import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { vectorSessionOptions } from './vector';

export interface DataSourceSettings {
  url: string;
  embedded: boolean;
  poolSize: number;
  migrationsRun: boolean;
  ssl: boolean;
}

const ROOT = path.join(__dirname, '..', '..');

/**
 * The one TypeORM configuration, shared by the app and the TypeORM CLI (`ormconfig.ts`). Entities and migrations
 * are found by file name so the same options work from `src/` under ts-node/Jest and from `dist/` in production.
 */
export function buildDataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    ssl: settings.ssl ? { rejectUnauthorized: true } : false,
    entities: [path.join(ROOT, 'src', '**', '*.entity.{ts,js}')],
    migrations: [path.join(ROOT, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: settings.migrationsRun,
    // Never: schema changes go through reviewed migrations only.
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; extensions are created by migrations, never on connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    // The embedded database serves one connection at a time; a larger pool would only queue behind it.
    poolSize: settings.embedded ? 1 : settings.poolSize,
    extra: {
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // The embedded database has one session for every connection: it is configured once when it starts.
      ...(!settings.embedded && { options: vectorSessionOptions() }),
    },
    applicationName: 'switchboard',
  };
}
