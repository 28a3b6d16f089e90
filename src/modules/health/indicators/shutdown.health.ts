import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ShutdownService } from '../../../common/lifecycle/shutdown.service';

/** Down as soon as shutdown begins, so load balancers stop sending new work before connections close. */
@Injectable()
export class ShutdownHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly shutdown: ShutdownService,
  ) {}

  check(key = 'lifecycle') {
    const session = this.health.check(key);
    return this.shutdown.isShuttingDown
      ? session.down({ message: 'shutting down' })
      : session.up({ accepting: true });
  }
}
