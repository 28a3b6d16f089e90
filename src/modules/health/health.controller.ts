import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { AllowOperatorToken, Public, Roles } from '../../common/auth/auth.decorators';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DetailedHealthReport, DetailedHealthService } from './detailed-health.service';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { RedisHealthIndicator } from './indicators/redis.health';
import { ShutdownHealthIndicator } from './indicators/shutdown.health';

export const PUBLIC_DOWN_MESSAGE = 'unreachable (the reason is in /health/detailed and the logs)';

/** A dependency's own error text names hosts, addresses and users: the public probe says only that it is down. */
function withoutDependencyErrors(result: HealthCheckResult): HealthCheckResult {
  const redact = <T extends Partial<HealthIndicatorResult>>(
    section: T | undefined,
  ): T | undefined =>
    section &&
    (Object.fromEntries(
      Object.entries(section).map(([key, value]) => [
        key,
        key !== 'lifecycle' && value?.message !== undefined
          ? { ...value, message: PUBLIC_DOWN_MESSAGE }
          : value,
      ]),
    ) as T);
  return {
    ...result,
    info: redact(result.info),
    error: redact(result.error),
    details: redact(result.details) ?? {},
  };
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly lifecycle: ShutdownHealthIndicator,
    private readonly detailed: DetailedHealthService,
  ) {}

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process is up' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database and Redis reachable, not shutting down' })
  @ApiOkResponse({ description: 'Ready to take traffic' })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (a dependency is down or shutdown began)',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    const result = await this.health
      .check([() => this.lifecycle.check(), () => this.database.check(), () => this.redis.check()])
      .catch((error: { getResponse?: () => HealthCheckResult }) => {
        // Terminus throws its report on failure; answer it as a 503 body rather than a generic error.
        if (typeof error.getResponse !== 'function') throw error;
        return error.getResponse();
      });
    if (result.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return withoutDependencyErrors(result);
  }

  @Get('detailed')
  @ApiBearerAuth()
  @AllowOperatorToken()
  @Roles('owner', 'admin')
  @ApiOperation({ summary: 'Versions, uptime, each dependency with latency, circuit states' })
  async details(@Res({ passthrough: true }) reply: FastifyReply): Promise<DetailedHealthReport> {
    const report = await this.detailed.report();
    if (report.status !== 'ok') void reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
