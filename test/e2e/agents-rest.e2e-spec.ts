import request from 'supertest';
import { DataSource } from 'typeorm';
import { addUser, registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { OpenAiStandIn } from '../support/openai-stand-in';
import { callAndWait } from '../support/phone-call';
import { createTestApp, type TestApp } from '../support/test-app';
import { sharedAudio, TWILIO_ENV } from '../support/twilio';
import { waitFor } from '../support/wait-for';

interface VariantReport {
  variantId: string | null;
  name: string;
  calls: number;
  averageTurns: number | null;
  completionRate: number | null;
  averageSentiment: number | null;
}

describe('Agents REST API, A/B variants and experiments (e2e)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    await openai.start();
    openai.speechSeconds = 0.2;
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        ...openai.voiceEnv(),
        ENDPOINTING_SILENCE_MS: '500',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
  });
  afterAll(async () => {
    await sut.close();
    await openai.stop();
  });

  const api = (account: Account) => {
    const server = sut.app.getHttpServer();
    const auth = (test: request.Test) => test.set('authorization', `Bearer ${account.accessToken}`);
    return {
      get: (path: string) => auth(request(server).get(path)),
      post: (path: string, body: object) => auth(request(server).post(path)).send(body),
      patch: (path: string, body: object) => auth(request(server).patch(path)).send(body),
      delete: (path: string) => auth(request(server).delete(path)),
    };
  };

  describe('agents', () => {
    it('creates, reads, lists, updates and deletes an agent', async () => {
      const created = await api(owner)
        .post('/api/v1/agents', {
          name: 'Billing desk',
          systemPrompt: 'You help with invoices.',
          persona: 'Calm and exact.',
          firstMessage: 'Billing, how can I help?',
          voice: 'nova',
          language: 'en-GB',
          sttProvider: 'openai',
          ttsProvider: 'local',
          model: 'gpt-4o',
          toolsEnabled: ['calculator', 'transfer_to_human'],
          maxTurns: 12,
          transferNumber: '+14155550100',
          callType: 'billing',
        })
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'Billing desk',
        persona: 'Calm and exact.',
        toolsEnabled: ['calculator', 'transfer_to_human'],
        callType: 'billing',
        model: 'gpt-4o',
        variants: [],
      });
      const id = created.body.id as string;

      const updated = await api(owner)
        .patch(`/api/v1/agents/${id}`, { persona: 'Patient.', model: null, toolsEnabled: [] })
        .expect(200);
      expect(updated.body).toMatchObject({
        persona: 'Patient.',
        model: null,
        toolsEnabled: [],
        maxTurns: 12,
      });
      expect((await api(owner).get(`/api/v1/agents/${id}`).expect(200)).body.name).toBe(
        'Billing desk',
      );
      const list = await api(owner).get('/api/v1/agents?limit=100').expect(200);
      expect(list.body.items.map((agent: { id: string }) => agent.id)).toContain(id);

      await api(owner).delete(`/api/v1/agents/${id}`).expect(204);
      await api(owner).get(`/api/v1/agents/${id}`).expect(404);
    });

    it('answers invalid agents with every problem named', async () => {
      const response = await api(owner)
        .post('/api/v1/agents', {
          name: '',
          toolsEnabled: ['calculator', 'teleport'],
          maxTurns: 0,
          transferNumber: '555-0100',
          callType: 'Support Calls',
          sttProvider: 'whisper',
        })
        .expect(422);
      const fields = (response.body.error.details.fields as { field: string }[]).map(
        (f) => f.field,
      );
      expect(fields).toEqual(
        expect.arrayContaining([
          'name',
          'toolsEnabled',
          'maxTurns',
          'transferNumber',
          'callType',
          'sttProvider',
        ]),
      );
    });

    it('refuses null for a field that cannot be empty, and takes it where it clears a setting', async () => {
      const { body: agent } = await api(owner)
        .post('/api/v1/agents', { name: 'Nullable', sttProvider: 'openai' })
        .expect(201);
      const refused = await api(owner)
        .patch(`/api/v1/agents/${agent.id}`, { name: null, maxTurns: null, language: null })
        .expect(422);
      expect(
        (refused.body.error.details.fields as { field: string }[]).map((f) => f.field).sort(),
      ).toEqual(['language', 'maxTurns', 'name']);
      const cleared = await api(owner)
        .patch(`/api/v1/agents/${agent.id}`, { sttProvider: null })
        .expect(200);
      expect(cleared.body).toMatchObject({ name: 'Nullable', sttProvider: null });
      await api(owner)
        .post('/api/v1/agents', { name: 'Also nullable', firstMessage: null })
        .expect(422);
    });

    it("keeps organizations apart and holds roles: another organization's agent is not found, viewers only read", async () => {
      const agent = await createAgent(sut.app, owner);
      const other = await registerAccount(sut.app);
      const missing = await api(other).get(`/api/v1/agents/${agent.id}`).expect(404);
      expect(missing.body.error.code).toBe('AGENT_NOT_FOUND');
      await api(other).patch(`/api/v1/agents/${agent.id}`, { name: 'Mine now' }).expect(404);
      await api(other).delete(`/api/v1/agents/${agent.id}`).expect(404);
      expect((await api(other).get('/api/v1/agents').expect(200)).body.items).toEqual([]);

      const viewer = await addUser(sut.app, owner, 'viewer');
      await api(viewer).get(`/api/v1/agents/${agent.id}`).expect(200);
      await api(viewer).post('/api/v1/agents', { name: 'Nope' }).expect(403);
    });
  });

  it('pages through agents created within one millisecond without skipping any', async () => {
    const account = await registerAccount(sut.app);
    const ids: string[] = [];
    for (const name of ['One', 'Two', 'Three']) {
      ids.push((await api(account).post('/api/v1/agents', { name }).expect(201)).body.id);
    }
    // A cursor carries a JavaScript date: what PostgreSQL could store beyond its milliseconds, it cannot say.
    const dataSource = sut.app.get(DataSource);
    for (const [index, id] of ids.entries()) {
      await dataSource.query('UPDATE agents SET created_at = $1 WHERE id = $2', [
        `2026-01-01T00:00:00.000${index + 1}00Z`,
        id,
      ]);
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const { body } = await api(account).get(`/api/v1/agents?limit=1${query}`).expect(200);
      seen.push(...(body.items as { id: string }[]).map((agent) => agent.id));
      cursor = body.nextCursor as string | null;
      if (!cursor) break;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  describe('A/B variants', () => {
    it('assigns calls to variants by weight, records the variant on the call, and reports per variant', async () => {
      const agent = await createAgent(sut.app, owner, { firstMessage: 'Hello from the agent.' });
      const number = await createPhoneNumber(sut.app, owner, agent.id);
      const variants = `/api/v1/agents/${agent.id}/variants`;
      const a = (
        await api(owner)
          .post(variants, { name: 'a', weight: 1, firstMessage: 'Hello from A.' })
          .expect(201)
      ).body as { id: string };
      const b = (
        await api(owner)
          .post(variants, { name: 'b', weight: 0, firstMessage: 'Hello from B.' })
          .expect(201)
      ).body as { id: string };
      await api(owner).post(variants, { name: 'a', weight: 1 }).expect(409);

      // The caller listens to the whole greeting before speaking.
      const listen = Buffer.alloc(8000 * 2, 0xff);
      const first = await callAndWait(sut, owner, {
        from: uniqueE164(),
        to: number.e164,
        audio: Buffer.concat([listen, sharedAudio('hello')]),
      });
      expect(first.call.variantId).toBe(a.id);
      expect(first.turns[0]).toMatchObject({ role: 'agent', text: 'Hello from A.' });
      expect(
        first.events.find((event) => event.type === 'agent.variant_assigned')?.payload,
      ).toEqual({
        variantId: a.id,
        name: 'a',
      });

      await api(owner).patch(`${variants}/${a.id}`, { weight: 0 }).expect(200);
      await api(owner).patch(`${variants}/${b.id}`, { weight: 5 }).expect(200);
      const second = await callAndWait(sut, owner, {
        from: uniqueE164(),
        to: number.e164,
        audio: Buffer.concat([listen, sharedAudio('goodbye')]),
      });
      expect(second.call.variantId).toBe(b.id);
      expect(second.turns[0]).toMatchObject({ role: 'agent', text: 'Hello from B.' });

      const report = await api(owner).get(`/api/v1/agents/${agent.id}/experiments`).expect(200);
      const rows = report.body.variants as VariantReport[];
      expect(rows.map((row) => [row.name, row.calls])).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
      for (const [row, outcome] of [
        [rows[0], first],
        [rows[1], second],
      ] as const) {
        expect(row.averageTurns).toBe(outcome.call.turnCount);
        expect(row.completionRate).toBe(1);
        const sentiment = outcome.turns.find((turn) => turn.role === 'caller')!.sentiment!;
        expect(row.averageSentiment).toBeCloseTo(sentiment, 2);
      }
      expect(rows[1].averageSentiment).toBeGreaterThan(0); // "Thank you, that is all. Goodbye."
    }, 40_000);

    it('reports calls without a variant as the base, and keeps variants to their agent and organization', async () => {
      const agent = await createAgent(sut.app, owner);
      const number = await createPhoneNumber(sut.app, owner, agent.id);
      await callAndWait(sut, owner, {
        from: uniqueE164(),
        to: number.e164,
        audio: sharedAudio('hello'),
      });
      const report = await api(owner).get(`/api/v1/agents/${agent.id}/experiments`).expect(200);
      expect(report.body.variants).toEqual([
        expect.objectContaining({ variantId: null, name: 'base', calls: 1 }),
      ]);

      const variant = (
        await api(owner).post(`/api/v1/agents/${agent.id}/variants`, { name: 'x' }).expect(201)
      ).body as { id: string };
      const other = await registerAccount(sut.app);
      await api(other).get(`/api/v1/agents/${agent.id}/experiments`).expect(404);
      await api(other)
        .patch(`/api/v1/agents/${agent.id}/variants/${variant.id}`, { weight: 3 })
        .expect(404);
      const elsewhere = await createAgent(sut.app, owner);
      const wrongAgent = await api(owner)
        .delete(`/api/v1/agents/${elsewhere.id}/variants/${variant.id}`)
        .expect(404);
      expect(wrongAgent.body.error.code).toBe('AGENT_VARIANT_NOT_FOUND');
      await api(owner).delete(`/api/v1/agents/${agent.id}/variants/${variant.id}`).expect(204);
    }, 30_000);
  });

  describe('insights', () => {
    it('recommends by rules until enough calls have been learned from, then by what worked', async () => {
      const account = await registerAccount(sut.app);
      const rules = await api(account).get('/api/v1/insights?callType=support').expect(200);
      expect(rules.body).toMatchObject({
        callType: 'support',
        basis: 'rules',
        recommendation: { confidence: 0.3 },
      });

      // Three finished calls of a support agent, counted by the post-call job as their calls end.
      const agent = await createAgent(sut.app, account, {
        callType: 'support',
        persona: 'Patient and kind.',
        firstMessage: '',
        toolsEnabled: ['end_call'],
      });
      const number = await createPhoneNumber(sut.app, account, agent.id);
      for (let i = 0; i < 3; i++) {
        await callAndWait(sut, account, {
          from: uniqueE164(),
          to: number.e164,
          audio: sharedAudio('goodbye'),
        });
      }
      await waitFor(
        () =>
          sut.app
            .get(DataSource)
            .query<{ usage_count: number }[]>(
              'SELECT usage_count FROM learned_patterns WHERE organization_id = $1',
              [account.organizationId],
            ),
        (rows) => rows[0]?.usage_count === 3,
      );
      const learned = await api(account).get('/api/v1/insights?callType=support').expect(200);
      expect(learned.body).toMatchObject({
        basis: 'learned',
        recommendation: {
          persona: 'Patient and kind.',
          tools: ['end_call'],
          sampleSize: 3,
          successRate: 1,
        },
      });
      expect(learned.body.recommendation.confidence).toBeGreaterThan(0.3);
      expect(learned.body.recommendation.confidence).toBeLessThan(1);
      await api(account).get('/api/v1/insights?callType=Not A Type').expect(422);
    }, 60_000);
  });
});
