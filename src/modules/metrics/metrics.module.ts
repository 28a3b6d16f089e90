import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DefaultMetricsCollector } from './default-metrics.collector';
import { HttpMetricsHooks } from './http-metrics.hooks';
import { httpMetricProviders } from './http-metrics';
import { MetricsController } from './metrics.controller';

@Module({
  imports: [
    PrometheusModule.register({
      controller: MetricsController,
      path: '/metrics',
      defaultMetrics: { enabled: false },
    }),
  ],
  providers: [...httpMetricProviders, DefaultMetricsCollector, HttpMetricsHooks],
})
export class MetricsModule {}
