import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { AuthenticationGuard } from './common/guards/authentication.guard';
import { RateLimitGuard } from './common/guards/rate-limit.guard';
import { RateLimitModule } from './common/guards/rate-limit.module';
import { RolesGuard } from './common/guards/roles.guard';
import { JobsModule } from './common/jobs/jobs.module';
import { LifecycleModule } from './common/lifecycle/lifecycle.module';
import { LoggingModule } from './common/logging/logging.module';
import { createValidationPipe } from './common/pipes/validation.pipe';
import { ResilienceModule } from './common/resilience/resilience.module';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './database/redis.module';
import { AgentModule } from './modules/agent/agent.module';
import { AuthModule } from './modules/auth/auth.module';
import { HealthModule } from './modules/health/health.module';
import { MemoryModule } from './modules/memory/memory.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { TelephonyModule } from './modules/telephony/telephony.module';
import { VoiceModule } from './modules/voice/voice.module';

@Module({})
export class AppModule {
  /** The whole application for one validated configuration (feature flags decide which modules load). */
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule,
        LifecycleModule,
        ResilienceModule,
        DatabaseModule,
        RedisModule,
        RateLimitModule,
        JobsModule,
        AuthModule,
        MemoryModule,
        AgentModule,
        VoiceModule,
        TelephonyModule,
        HealthModule,
        ...(config.features.metrics ? [MetricsModule] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        // Order matters: who is calling, then may they, then how often.
        { provide: APP_GUARD, useClass: AuthenticationGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
    };
  }
}
