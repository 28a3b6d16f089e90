import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';
import { startEmbeddedPostgres } from './src/database/embedded-postgres';

/**
 * The DataSource of the TypeORM CLI (`npm run migration:*`), built from the same options as the app. With no
 * DATABASE_URL it opens the embedded database under DATA_DIR, so migrations can be generated and run against
 * exactly what `npm start` uses.
 */
async function createDataSource(): Promise<DataSource> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const url = config.database.url ?? (await startEmbeddedPostgres(config.server.dataDir)).url;
  return new DataSource({
    ...buildDataSourceOptions({
      url,
      embedded: config.database.url === undefined,
      poolSize: config.database.poolSize,
      migrationsRun: false,
      ssl: config.database.ssl,
    }),
  });
}

export const dataSource = createDataSource();
