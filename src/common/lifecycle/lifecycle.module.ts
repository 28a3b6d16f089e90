import { Global, Module } from '@nestjs/common';
import { HttpDrainHooks } from './http-drain.hooks';
import { ShutdownService } from './shutdown.service';

@Global()
@Module({
  providers: [ShutdownService, HttpDrainHooks],
  exports: [ShutdownService],
})
export class LifecycleModule {}
