import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { verifyDatabase } from './database-preflight';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres';

/** Which PostgreSQL this process talks to: the one DATABASE_URL names, or the embedded one it started. */
@Injectable()
export class DatabaseTarget implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private embeddedHandle: EmbeddedPostgresHandle | undefined;
  url = '';

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  get embedded(): boolean {
    return this.embeddedHandle !== undefined;
  }

  async connect(): Promise<void> {
    const configured = this.config.database.url;
    if (configured) {
      await verifyDatabase(configured, this.config.database.ssl);
      this.url = configured;
      return;
    }
    this.embeddedHandle = await startEmbeddedPostgres(this.config.server.dataDir);
    this.url = this.embeddedHandle.url;
    this.logger.log(
      `Using the embedded PostgreSQL (PGlite + pgvector) stored in ${this.embeddedHandle.dataDir}. ` +
        'It is for trying Switchboard and development; set DATABASE_URL to use a real PostgreSQL server.',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embeddedHandle) return;
    // The embedded server must outlive the pool that talks to it, whatever order Nest runs hooks in.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embeddedHandle.stop();
    this.embeddedHandle = undefined;
  }
}
