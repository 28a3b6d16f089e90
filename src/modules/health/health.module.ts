import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TelephonyModule } from '../telephony/telephony.module';
import { DetailedHealthService } from './detailed-health.service';
import { HealthController } from './health.controller';
import { DatabaseHealthIndicator } from './indicators/database.health';
import { RedisHealthIndicator } from './indicators/redis.health';
import { ShutdownHealthIndicator } from './indicators/shutdown.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), TelephonyModule],
  controllers: [HealthController],
  providers: [
    DatabaseHealthIndicator,
    RedisHealthIndicator,
    ShutdownHealthIndicator,
    DetailedHealthService,
  ],
})
export class HealthModule {}
