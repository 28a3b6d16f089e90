import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type { Agent } from '../../src/modules/agent/agents/agent.entity';
import type { CreateAgentDto } from '../../src/modules/agent/agents/dto/agent.dto';
import type { Account } from './account.factory';

let sequence = 0;

/** A fresh E.164 number in the 555 test range, unique within a test run. */
export function uniqueE164(): string {
  sequence += 1;
  const tail = `${process.pid % 1000}${Date.now() % 100000}${sequence}`.slice(-7).padStart(7, '0');
  return `+1415${tail}`;
}

/** Creates an agent through the REST API (a dental clinic's front desk unless told otherwise). */
export async function createAgent(
  app: NestFastifyApplication,
  owner: Account,
  overrides: Partial<CreateAgentDto> = {},
): Promise<Agent> {
  const response = await request(app.getHttpServer())
    .post('/api/v1/agents')
    .set('authorization', `Bearer ${owner.accessToken}`)
    .send({
      name: 'Front desk',
      systemPrompt: 'You answer calls for a dental clinic.',
      firstMessage: 'Hello, thanks for calling. How can I help?',
      ...overrides,
    })
    .expect(201);
  return response.body as Agent;
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
