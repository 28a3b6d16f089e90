import { Global, Module } from '@nestjs/common';
import { JobRunner } from './job-runner.service';
import { JobsRepository } from './jobs.repository';

/** The durable job queue; feature modules register their handlers with the JobRunner. */
@Global()
@Module({
  providers: [JobsRepository, JobRunner],
  exports: [JobRunner],
})
export class JobsModule {}
