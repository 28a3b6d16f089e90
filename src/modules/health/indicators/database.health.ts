import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatabaseTarget } from '../../../database/database-target';
import { timed } from './with-timeout';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly target: DatabaseTarget,
  ) {}

  async check(key = 'database', timeoutMs = 2_000) {
    const session = this.health.check(key);
    try {
      const latencyMs = await timed(() => this.dataSource.query('SELECT 1'), timeoutMs);
      return session.up({ latencyMs, embedded: this.target.embedded });
    } catch (error) {
      return session.down({ message: (error as Error).message, embedded: this.target.embedded });
    }
  }
}
