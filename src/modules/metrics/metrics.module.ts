import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DefaultMetricsCollector } from './default-metrics.collector';
import { HttpMetricsHooks } from './http-metrics.hooks';
import { httpMetricProviders } from './http-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';

@Module({
  imports: [
    PrometheusModule.register({
      controller: MetricsController,
      path: '/metrics',
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [...httpMetricProviders, DefaultMetricsCollector, HttpMetricsHooks, MetricsTokenGuard],
})
export class MetricsModule {}
