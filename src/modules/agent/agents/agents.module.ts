import { Module } from '@nestjs/common';
import { AgentsRepository } from './agents.repository';

/** Agent configuration storage; the Agent module's REST API and runtime build on it. */
@Module({ providers: [AgentsRepository], exports: [AgentsRepository] })
export class AgentsModule {}
