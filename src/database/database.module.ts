import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseTarget } from './database-target';

@Global()
@Module({
  providers: [DatabaseTarget],
  exports: [DatabaseTarget],
})
class DatabaseTargetModule {}

@Module({
  imports: [
    DatabaseTargetModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseTargetModule],
      inject: [AppConfig, DatabaseTarget],
      useFactory: async (config: AppConfig, target: DatabaseTarget) => {
        await target.connect();
        return {
          ...buildDataSourceOptions({
            url: target.url,
            embedded: target.embedded,
            poolSize: config.database.poolSize,
            migrationsRun: config.database.migrationsRun,
            ssl: config.database.ssl,
          }),
          retryAttempts: 2,
          retryDelay: 1000,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
