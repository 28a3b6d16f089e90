import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { JobRunner, PermanentJobError } from '../../src/common/jobs/job-runner.service';
import { CustomersRepository } from '../../src/modules/telephony/customers/customers.repository';
import { registerAccount } from '../factories/account.factory';
import { createAgent, uniqueE164 } from '../factories/telephony.factory';
import { ChatStreamClient } from '../support/chat-client';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

interface JobRow {
  status: string;
  attempts: number;
  last_error: string | null;
}

describe('Durable background jobs (e2e, real database)', () => {
  // Keys unique to this run: the database may hold jobs of earlier runs.
  const keys = { k1: randomUUID(), k2: randomUUID(), k3: randomUUID(), k4: randomUUID() };
  let sut: TestApp;
  let runner: JobRunner;
  const job = (type: string, key: string) =>
    sut.app
      .get(DataSource)
      .query<JobRow[]>(
        'SELECT status, attempts, last_error FROM jobs WHERE type = $1 AND dedupe_key = $2',
        [type, key],
      )
      .then((rows) => rows[0]);

  beforeAll(async () => {
    sut = await createTestApp({ JOB_POLL_INTERVAL: '0.1' });
    runner = sut.app.get(JobRunner);
  });
  afterAll(() => sut.close());

  it('runs a job once per key, at once', async () => {
    const seen: unknown[] = [];
    runner.register('test.once', {
      run: ({ job: claimed }) => Promise.resolve(void seen.push(claimed.payload)),
    });
    expect(await runner.enqueue({ type: 'test.once', dedupeKey: keys.k1, payload: { n: 1 } })).toBe(
      true,
    );
    expect(await runner.enqueue({ type: 'test.once', dedupeKey: keys.k1, payload: { n: 2 } })).toBe(
      false,
    );
    await waitFor(
      () => job('test.once', keys.k1),
      (row) => row?.status === 'done',
    );
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('retries a failing job with backoff and keeps the last error when it gives up', async () => {
    let calls = 0;
    runner.register('test.flaky', {
      run: () => {
        calls++;
        return calls < 2 ? Promise.reject(new Error('provider hiccup')) : Promise.resolve();
      },
    });
    runner.register('test.broken', {
      run: () => Promise.reject(new PermanentJobError('the document has no text')),
    });
    await runner.enqueue({ type: 'test.flaky', dedupeKey: keys.k2, payload: {} });
    await runner.enqueue({ type: 'test.broken', dedupeKey: keys.k3, payload: {} });
    const flaky = await waitFor(
      () => job('test.flaky', keys.k2),
      (row) => row?.status === 'done',
      {
        timeoutMs: 15_000,
      },
    );
    expect(flaky.attempts).toBe(2);
    const broken = await waitFor(
      () => job('test.broken', keys.k3),
      (row) => row?.status === 'failed',
    );
    expect(broken).toMatchObject({ attempts: 1, last_error: 'the document has no text' });
  }, 20_000);

  it('takes over a job whose worker died (its lease ran out)', async () => {
    const dataSource = sut.app.get(DataSource);
    let ran = false;
    runner.register('test.orphan', { run: () => Promise.resolve(void (ran = true)) });
    // A worker that claimed it and vanished a minute ago.
    await dataSource.query(
      `INSERT INTO jobs (type, dedupe_key, payload, status, attempts, locked_by, locked_until)
       VALUES ('test.orphan', $1, '{}', 'running', 1, 'dead-instance', now() - interval '1 minute')`,
      [keys.k4],
    );
    await waitFor(
      () => job('test.orphan', keys.k4),
      (row) => row?.status === 'done',
    );
    expect(ran).toBe(true);
  });
});

describe('Right to be forgotten cancels summaries still waiting (e2e)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // No worker here: the chat's summary job stays queued.
    sut = await createTestApp({ JOB_CONCURRENCY: '0' }, { listen: true });
  });
  afterAll(() => sut.close());

  it('drops the queued post-call summary of a caller who asked to be forgotten', async () => {
    const owner = await registerAccount(sut.app);
    const agent = await createAgent(sut.app, owner);
    const customer = await sut.app
      .get(CustomersRepository)
      .recordContact(owner.organizationId, uniqueE164(), new Date());
    const client = await ChatStreamClient.connect(
      `${sut.baseUrl.replace('http', 'ws')}/api/v1/agents/${agent.id}/chat/stream?customerId=${customer.id}`,
      { authorization: `Bearer ${owner.accessToken}` },
    );
    await client.next((message) => message.type === 'ready');
    client.send({ type: 'message', text: 'Hello there' });
    await client.next((message) => message.type === 'done');
    client.close();
    const queued = () =>
      sut.app
        .get(DataSource)
        .query<unknown[]>(
          `SELECT id FROM jobs WHERE organization_id = $1 AND status = 'queued' AND payload->>'customerId' = $2`,
          [owner.organizationId, customer.id],
        );
    await waitFor(queued, (rows) => rows.length === 1);

    await request(sut.app.getHttpServer())
      .delete(`/api/v1/customers/${customer.id}/memories`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    expect(await queued()).toEqual([]);
  });
});
