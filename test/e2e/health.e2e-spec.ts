import request from 'supertest';
import { DataSource } from 'typeorm';
import { ShutdownService } from '../../src/common/lifecycle/shutdown.service';
import { PUBLIC_DOWN_MESSAGE } from '../../src/modules/health/health.controller';
import { addUser, registerAccount, uniqueSlug } from '../factories/account.factory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Health (e2e)', () => {
  describe('while running', () => {
    let sut: TestApp;
    const operator = uniqueSlug('health');

    beforeAll(async () => {
      sut = await createTestApp({ OPERATOR_ORGANIZATION: operator });
    });
    afterAll(() => sut.close());

    const http = () => request(sut.app.getHttpServer());

    it('GET /health/live answers 200', async () => {
      await http().get('/health/live').expect(200, { status: 'ok' });
    });

    it('GET /health/ready checks the database (and Redis when configured)', async () => {
      const response = await http().get('/health/ready').expect(200);

      expect(response.body.status).toBe('ok');
      expect(response.body.details.database.status).toBe('up');
      expect(response.body.details.lifecycle.status).toBe('up');
      expect(response.body.details.redis).toEqual(
        process.env.REDIS_URL
          ? { status: 'up', latencyMs: expect.any(Number) }
          : { status: 'up', configured: false },
      );
    });

    it('GET /health/detailed reports versions, dependencies and circuits to an admin', async () => {
      const owner = await registerAccount(sut.app, { organizationSlug: operator });

      const response = await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${owner.accessToken}`)
        .expect(200);

      expect(response.body).toMatchObject({
        status: 'ok',
        versions: { node: process.version, pgvector: expect.stringMatching(/^0\.8/) },
        dependencies: { database: { status: 'up', latencyMs: expect.any(Number) } },
        circuits: expect.any(Object),
        calls: { liveOnThisInstance: 0, admittedOnThisInstance: 0, queued: 0 },
      });
    });

    it('GET /docs-json serves the OpenAPI document', async () => {
      const response = await http().get('/docs-json').expect(200);

      expect(response.body.openapi).toMatch(/^3\./);
      expect(Object.keys(response.body.paths)).toEqual(
        expect.arrayContaining(['/health/live', '/health/ready']),
      );
    });
  });

  it('reports the database down when it cannot reach it', async () => {
    const sut = await createTestApp();
    try {
      await sut.app.get(DataSource).destroy();

      const response = await request(sut.app.getHttpServer()).get('/health/ready').expect(503);
      expect(response.body.details.database.status).toBe('down');
      // Why it is down (driver messages can name hosts and users) is for /health/detailed, not the public probe.
      expect(response.body.details.database.message).toBe(PUBLIC_DOWN_MESSAGE);
      expect(response.body.error.database.message).toBe(PUBLIC_DOWN_MESSAGE);
    } finally {
      await sut.close().catch(() => undefined);
    }
  });

  it('keeps /health/detailed from anonymous callers, non-admins and other organizations, and opens it to the operator token', async () => {
    const operator = uniqueSlug('health-operator');
    const sut = await createTestApp({
      METRICS_TOKEN: 'operator-token-0123456789',
      OPERATOR_ORGANIZATION: operator,
    });
    try {
      const http = () => request(sut.app.getHttpServer());
      const owner = await registerAccount(sut.app, { organizationSlug: operator });
      const member = await addUser(sut.app, owner, 'member');
      const admin = await addUser(sut.app, owner, 'admin');
      const stranger = await registerAccount(sut.app);

      const anonymous = await http().get('/health/detailed').expect(401);
      expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
      const forbidden = await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${member.accessToken}`)
        .expect(403);
      expect(forbidden.body.error.code).toBe('AUTH_ROLE_REQUIRED');
      const otherOrganization = await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${stranger.accessToken}`)
        .expect(403);
      expect(otherOrganization.body.error.code).toBe('AUTH_OPERATOR_REQUIRED');
      expect(otherOrganization.body).not.toHaveProperty('versions');
      await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${admin.accessToken}`)
        .expect(200);
      await http()
        .get('/health/detailed')
        .set('authorization', 'Bearer operator-token-0123456789')
        .expect(200);
    } finally {
      await sut.close();
    }
  });

  it('without OPERATOR_ORGANIZATION, lets the first organization registered operate the deployment', async () => {
    const sut = await createTestApp();
    try {
      const http = () => request(sut.app.getHttpServer());
      const first = await registerAccount(sut.app);
      const later = await registerAccount(sut.app);
      // The suites share one database: this organization is made the earliest of all of them.
      await sut.app
        .get(DataSource)
        .query(
          `UPDATE organizations SET created_at = (SELECT min(created_at) FROM organizations) - interval '1 second' WHERE id = $1`,
          [first.organizationId],
        );

      await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${first.accessToken}`)
        .expect(200);
      const refused = await http()
        .get('/health/detailed')
        .set('authorization', `Bearer ${later.accessToken}`)
        .expect(403);
      expect(refused.body.error.code).toBe('AUTH_OPERATOR_REQUIRED');
    } finally {
      await sut.close();
    }
  });

  it('with OPERATOR_ORGANIZATION naming no organization, refuses every user token', async () => {
    const sut = await createTestApp({
      METRICS_TOKEN: 'operator-token-0123456789',
      OPERATOR_ORGANIZATION: uniqueSlug('not-registered'),
    });
    try {
      const owner = await registerAccount(sut.app);

      const refused = await request(sut.app.getHttpServer())
        .get('/health/detailed')
        .set('authorization', `Bearer ${owner.accessToken}`)
        .expect(403);

      expect(refused.body.error.code).toBe('AUTH_OPERATOR_REQUIRED');
      await request(sut.app.getHttpServer())
        .get('/health/detailed')
        .set('authorization', 'Bearer operator-token-0123456789')
        .expect(200);
    } finally {
      await sut.close();
    }
  });

  it('turns readiness 503 at once on shutdown, refuses new work, and drains in-flight work first', async () => {
    const sut = await createTestApp({ SHUTDOWN_DRAIN_TIMEOUT: '5' });
    const shutdown = sut.app.get(ShutdownService);
    let working = true;
    shutdown.register({ name: 'test jobs', inFlight: () => (working ? 1 : 0) });
    const server = sut.app.getHttpServer();

    const closing = sut.app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const ready = await request(server).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.lifecycle).toEqual({ status: 'down', message: 'shutting down' });
    const refused = await request(server).get('/docs-json');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SHUTTING_DOWN');

    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closed).toBe(false); // still draining the in-flight job

    working = false;
    await closing;
    expect(closed).toBe(true);
  });
});
