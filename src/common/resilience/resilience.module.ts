import { Global, Module } from '@nestjs/common';
import { ResilienceFactory } from './resilience.factory';
import { resilienceMetricProviders } from './resilience.metrics';

@Global()
@Module({
  providers: [...resilienceMetricProviders, ResilienceFactory],
  exports: [ResilienceFactory],
})
export class ResilienceModule {}
