import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

describe('Migrations (e2e, real database)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource(
      buildDataSourceOptions({
        url: process.env.DATABASE_URL!,
        embedded: process.env.SWITCHBOARD_TEST_EMBEDDED_DB === '1',
        poolSize: 1,
        migrationsRun: false,
        ssl: false,
      }),
    );
    await dataSource.initialize();
  });
  afterAll(async () => {
    // Leave the schema migrated for the suites that follow.
    await dataSource.runMigrations();
    await dataSource.destroy();
  });

  const extensionInstalled = async () =>
    (await dataSource.query<unknown[]>("SELECT 1 FROM pg_extension WHERE extname = 'vector'"))
      .length === 1;

  it('runs every migration up, and reverts every one down, leaving no trace', async () => {
    await dataSource.runMigrations();
    expect(await dataSource.showMigrations()).toBe(false);
    expect(await extensionInstalled()).toBe(true);
    const applied = dataSource.migrations.length;
    expect(applied).toBeGreaterThan(0);

    for (let i = 0; i < applied; i++) await dataSource.undoLastMigration();

    expect(await dataSource.showMigrations()).toBe(true);
    expect(await extensionInstalled()).toBe(false);
    const tables = await dataSource.query<{ tablename: string }[]>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'",
    );
    expect(tables).toEqual([]);

    await dataSource.runMigrations();
    expect(await dataSource.showMigrations()).toBe(false);
    expect(await extensionInstalled()).toBe(true);
  });

  it('never lets TypeORM synchronize the schema', () => {
    expect(dataSource.options.synchronize).toBe(false);
  });
});

describe('Entities and migrations agree (e2e)', () => {
  it('leaves nothing for TypeORM to generate once every migration has run', async () => {
    const dataSource = new DataSource(
      buildDataSourceOptions({
        url: process.env.DATABASE_URL!,
        embedded: process.env.SWITCHBOARD_TEST_EMBEDDED_DB === '1',
        poolSize: 1,
        migrationsRun: true,
        ssl: false,
      }),
    );
    await dataSource.initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
