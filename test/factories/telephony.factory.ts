import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { Agent } from '../../src/modules/agent/agents/agent.entity';
import { AgentsRepository } from '../../src/modules/agent/agents/agents.repository';
import type { Account } from './account.factory';

let sequence = 0;

/** A fresh E.164 number in the 555 test range, unique within a test run. */
export function uniqueE164(): string {
  sequence += 1;
  const tail = `${process.pid % 1000}${Date.now() % 100000}${sequence}`.slice(-7).padStart(7, '0');
  return `+1415${tail}`;
}

/** Agents have no REST API yet (the Agent module adds it): tests create them through the repository. */
export function createAgent(
  app: NestFastifyApplication,
  owner: Account,
  overrides: Partial<Agent> = {},
): Promise<Agent> {
  return app.get(AgentsRepository).create(owner.organizationId, {
    name: 'Front desk',
    systemPrompt: 'You answer calls for a dental clinic.',
    firstMessage: 'Hello, thanks for calling. How can I help?',
    ...overrides,
  });
}

/** Registers a number answered by `agentId` through the REST API. */
export async function createPhoneNumber(
  app: NestFastifyApplication,
  owner: Account,
  agentId: string,
  e164 = uniqueE164(),
): Promise<{ id: string; e164: string }> {
  const response = await request(app.getHttpServer())
    .post('/api/v1/phone-numbers')
    .set('authorization', `Bearer ${owner.accessToken}`)
    .send({ e164, agentId })
    .expect(201);
  return response.body as { id: string; e164: string };
}
