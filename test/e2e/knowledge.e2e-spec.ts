import request from 'supertest';
import { DataSource } from 'typeorm';
import { toVectorParameter } from '../../src/database/vector';
import { registerAccount, type Account } from '../factories/account.factory';
import { CLINIC_HANDBOOK, ingestDocument } from '../factories/knowledge.factory';
import { OpenAiStandIn } from '../support/openai-stand-in';
import { createTestApp, type TestApp } from '../support/test-app';

interface Hit {
  documentId: string;
  title: string;
  heading: string | null;
  content: string;
  score: number;
}

describe('Knowledge base on pgvector (e2e)', () => {
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    sut = await createTestApp();
    owner = await registerAccount(sut.app);
  });
  afterAll(() => sut.close());

  const search = (account: Account, query: string, limit?: number) =>
    request(sut.app.getHttpServer())
      .post('/api/v1/knowledge/search')
      .set('authorization', `Bearer ${account.accessToken}`)
      .send({ query, limit });

  it('accepts a document at once, ingests it in the background with progress, and makes it searchable', async () => {
    const created = await request(sut.app.getHttpServer())
      .post('/api/v1/knowledge/documents')
      .set('authorization', `Bearer ${owner.accessToken}`)
      .send({ title: 'Handbook', content: CLINIC_HANDBOOK, format: 'markdown' })
      .expect(202);
    expect(created.body).toMatchObject({ title: 'Handbook', format: 'markdown' });
    expect(['pending', 'processing', 'ready']).toContain(created.body.status);
    expect(created.body.content).toBeUndefined();

    const document = await ingestDocument(sut.app, owner, { title: 'Handbook 2' });
    expect(document).toMatchObject({ status: 'ready', error: null });
    expect(document.chunkCount).toBeGreaterThanOrEqual(4); // one section per chunk at least
    expect(document.chunksEmbedded).toBe(document.chunkCount);
    const stored = await sut.app
      .get(DataSource)
      .query<{ embedding_model: string; embedding_dimensions: number }[]>(
        'SELECT DISTINCT embedding_model, embedding_dimensions FROM knowledge_chunks WHERE document_id = $1',
        [document.id],
      );
    expect(stored).toEqual([{ embedding_model: 'local-hash-v1', embedding_dimensions: 384 }]);
  });

  it.each([
    ['When are you open on Saturday?', 'Opening hours', 'Saturdays'],
    ['How much does teeth whitening cost?', 'Prices', 'whitening'],
    ['Can I cancel my appointment tomorrow?', 'Cancellations', 'cancelled'],
    ['Where do I park my car?', 'Parking', 'parking'],
  ])('ranks the right section first for "%s"', async (query, heading, word) => {
    const response = await search(owner, query, 3).expect(200);
    const [best] = response.body.results as Hit[];
    expect(best.heading).toContain(heading);
    expect(best.content).toContain(word);
    const scores = (response.body.results as Hit[]).map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("never shows one organization's vectors to another, even when they are nearest", async () => {
    const other = await registerAccount(sut.app);
    expect(
      (await search(other, 'When are you open on Saturday?').expect(200)).body.results,
    ).toEqual([]);
    await ingestDocument(sut.app, other, {
      title: 'Bakery',
      content: 'Our bakery sells sourdough bread and croissants every morning.',
      format: 'text',
    });
    const theirs = (await search(other, 'When are you open on Saturday?').expect(200)).body
      .results as Hit[];
    expect(theirs.map((hit) => hit.title)).toEqual(['Bakery']);
    const ours = (await search(owner, 'sourdough bread croissants').expect(200)).body
      .results as Hit[];
    expect(ours.every((hit) => hit.title !== 'Bakery')).toBe(true);
    await request(sut.app.getHttpServer())
      .get(`/api/v1/knowledge/documents/${ours[0].documentId}`)
      .set('authorization', `Bearer ${other.accessToken}`)
      .expect(404);
  });

  it('lists documents newest first, and deleting one removes its chunks from search', async () => {
    const account = await registerAccount(sut.app);
    const first = await ingestDocument(sut.app, account, {
      title: 'Pets',
      content: 'Dogs are welcome in the waiting room if they stay on a lead.',
      format: 'text',
    });
    const second = await ingestDocument(sut.app, account, {
      title: 'Payments',
      content: 'We accept credit cards, debit cards and cash.',
      format: 'text',
    });
    const list = await request(sut.app.getHttpServer())
      .get('/api/v1/knowledge/documents?limit=1')
      .set('authorization', `Bearer ${account.accessToken}`)
      .expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([second.id]);
    expect(list.body.nextCursor).toEqual(expect.any(String));

    await request(sut.app.getHttpServer())
      .delete(`/api/v1/knowledge/documents/${first.id}`)
      .set('authorization', `Bearer ${account.accessToken}`)
      .expect(204);
    const results = (await search(account, 'Are dogs welcome?').expect(200)).body.results as Hit[];
    expect(results.map((hit) => hit.title)).toEqual(['Payments']);
    await request(sut.app.getHttpServer())
      .delete(`/api/v1/knowledge/documents/${first.id}`)
      .set('authorization', `Bearer ${account.accessToken}`)
      .expect(404);
  });

  it('refuses to mix embedding models in one knowledge base', async () => {
    const account = await registerAccount(sut.app);
    const document = await ingestDocument(sut.app, account, {
      title: 'Old model',
      content: 'Embedded long ago by another model.',
      format: 'text',
    });
    // As if the server had been switched to another model after this chunk was stored.
    await sut.app
      .get(DataSource)
      .query(
        `UPDATE knowledge_chunks SET embedding_model = 'text-embedding-3-small' WHERE document_id = $1`,
        [document.id],
      );
    const refused = await search(account, 'anything').expect(409);
    expect(refused.body.error).toMatchObject({
      code: 'EMBEDDING_MODEL_MISMATCH',
      details: {
        stored: { model: 'text-embedding-3-small', dimensions: 384 },
        current: { model: 'local-hash-v1', dimensions: 384 },
      },
    });
    await request(sut.app.getHttpServer())
      .post('/api/v1/knowledge/documents')
      .set('authorization', `Bearer ${account.accessToken}`)
      .send({ title: 'New', content: 'More text.' })
      .expect(409);
  });

  it('answers bad input with clear validation errors', async () => {
    const empty = await request(sut.app.getHttpServer())
      .post('/api/v1/knowledge/documents')
      .set('authorization', `Bearer ${owner.accessToken}`)
      .send({ title: ' ', content: '   ', format: 'pdf' })
      .expect(422);
    expect(empty.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (empty.body.error.details.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['title', 'content', 'format']));
    const query = await search(owner, '').expect(422);
    expect(query.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('uses the HNSW index of its dimension for a tenant-filtered search', async () => {
    const dataSource = sut.app.get(DataSource);
    const plan = await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      return manager.query<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT id FROM knowledge_chunks
         WHERE organization_id = $1 AND embedding_model = 'local-hash-v1' AND embedding_dimensions = 384
         ORDER BY embedding::vector(384) <=> $2::vector(384) LIMIT 5`,
        [owner.organizationId, toVectorParameter(new Array<number>(384).fill(0.05))],
      );
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain(
      'knowledge_chunks_embedding_384_hnsw',
    );
  });

  it('runs vector searches with iterative index scans on every connection, without a transaction per search', async () => {
    const dataSource = sut.app.get(DataSource);
    // Concurrent queries take several pooled connections (one, shared, on the embedded database).
    const settings = await Promise.all(
      Array.from({ length: 4 }, () =>
        dataSource.query<{ scan: string; ef: string }[]>(
          `SELECT current_setting('hnsw.iterative_scan') AS scan, current_setting('hnsw.ef_search') AS ef`,
        ),
      ),
    );
    expect(settings.flat()).toEqual(
      Array.from({ length: 4 }, () => ({ scan: 'relaxed_order', ef: '100' })),
    );
  });
});

describe('Knowledge base with OpenAI-compatible embeddings (e2e)', () => {
  const openai = new OpenAiStandIn();
  let sut: TestApp;
  let owner: Account;

  beforeAll(async () => {
    await openai.start();
    sut = await createTestApp({
      EMBEDDINGS_PROVIDER: 'openai',
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small',
      EMBEDDING_DIMENSIONS: '256',
    });
    owner = await registerAccount(sut.app);
  });
  afterAll(async () => {
    await sut.close();
    await openai.stop();
  });

  it('embeds through /v1/embeddings at the configured dimension, stores the model, and ranks by meaning', async () => {
    const document = await ingestDocument(sut.app, owner);
    expect(document.status).toBe('ready');
    const embeddingRequests = openai.requests.filter(
      (recorded) => recorded.path === '/v1/embeddings',
    );
    expect(embeddingRequests[0].json).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: 256,
    });
    const stored = await sut.app
      .get(DataSource)
      .query<{ embedding_model: string; embedding_dimensions: number }[]>(
        'SELECT DISTINCT embedding_model, embedding_dimensions FROM knowledge_chunks WHERE document_id = $1',
        [document.id],
      );
    expect(stored).toEqual([
      { embedding_model: 'text-embedding-3-small', embedding_dimensions: 256 },
    ]);

    const response = await request(sut.app.getHttpServer())
      .post('/api/v1/knowledge/search')
      .set('authorization', `Bearer ${owner.accessToken}`)
      .send({ query: 'How much does teeth whitening cost?', limit: 2 })
      .expect(200);
    expect((response.body.results as Hit[])[0].heading).toContain('Prices');
  });

  it("fails a document the provider refuses without storing the provider's own words", async () => {
    // OpenAI's 401 text quotes the (masked) key: it belongs in the logs, not where every viewer reads it.
    openai.failNext.push(401);
    const document = await ingestDocument(sut.app, owner, {
      title: 'Refused',
      content: 'Some text.',
    });
    expect(document.status).toBe('failed');
    expect(document.error).toBe('openai-embeddings failed (HTTP 401)');
  }, 60_000);

  it('fails a document, saying why, when the model answers vectors of another length', async () => {
    openai.embeddingDimensionsOverride = 12;
    try {
      const document = await ingestDocument(sut.app, owner, {
        title: 'Wrong length',
        content: 'Some text.',
      });
      expect(document.status).toBe('failed');
      expect(document.error).toContain('returned 12 dimensions, EMBEDDING_DIMENSIONS is 256');
    } finally {
      openai.embeddingDimensionsOverride = undefined;
    }
  }, 60_000);
});
