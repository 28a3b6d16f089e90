import request from 'supertest';
import { API_KEY_SCOPES } from '../../src/common/auth/api-key-scopes';
import {
  addUser,
  createApiKey,
  registerAccount,
  uniqueSlug,
  type Account,
} from '../factories/account.factory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Metrics (e2e)', () => {
  describe("without METRICS_TOKEN (the operating organization's admins only)", () => {
    let sut: TestApp;
    let owner: Account;

    beforeAll(async () => {
      const operator = uniqueSlug('metrics');
      sut = await createTestApp({ OPERATOR_ORGANIZATION: operator });
      owner = await registerAccount(sut.app, { organizationSlug: operator });
    });
    afterAll(() => sut.close());

    it('exposes process metrics and HTTP metrics labelled by route template', async () => {
      const http = request(sut.app.getHttpServer());
      await http.get('/health/live').expect(200);
      await http.get('/calls/+14155550100/nowhere').expect(404);

      await request(sut.app.getHttpServer()).get('/metrics').expect(401);
      const response = await request(sut.app.getHttpServer())
        .get('/metrics')
        .set('authorization', `Bearer ${owner.accessToken}`)
        .expect(200);

      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toContain('switchboard_process_cpu_user_seconds_total');
      expect(response.text).toContain('switchboard_nodejs_eventloop_lag_seconds');
      expect(response.text).toMatch(
        /switchboard_http_requests_total\{method="GET",route="\/health\/live",status="200"\} 1/,
      );
      expect(response.text).toContain('switchboard_http_request_duration_seconds_bucket');
      expect(response.text).toContain('switchboard_http_requests_in_flight');
      // raw URLs never become labels
      expect(response.text).not.toContain('14155550100');
      expect(response.text).toMatch(/route="unmatched",status="404"/);
    });

    it("refuses the owner of any other organization: the metrics count every tenant's calls", async () => {
      const stranger = await registerAccount(sut.app);

      const response = await request(sut.app.getHttpServer())
        .get('/metrics')
        .set('authorization', `Bearer ${stranger.accessToken}`)
        .expect(403);

      expect(response.body.error.code).toBe('AUTH_OPERATOR_REQUIRED');
      expect(response.text).not.toContain('switchboard_');
    });

    it("refuses the operating organization's members, and its API keys whatever their scopes", async () => {
      const member = await addUser(sut.app, owner, 'member');
      const key = await createApiKey(sut.app, owner, 'scraper', [...API_KEY_SCOPES]);

      const asMember = await request(sut.app.getHttpServer())
        .get('/metrics')
        .set('authorization', `Bearer ${member.accessToken}`)
        .expect(403);
      const asKey = await request(sut.app.getHttpServer())
        .get('/metrics')
        .set('authorization', `Bearer ${key.secret}`)
        .expect(401);

      expect(asMember.body.error.code).toBe('AUTH_ROLE_REQUIRED');
      expect(asKey.body.error.code).toBe('AUTH_API_KEY_NOT_ALLOWED');
    });
  });

  describe('with METRICS_TOKEN', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await createTestApp({ METRICS_TOKEN: 'scrape-token-0123456789' });
    });
    afterAll(() => sut.close());

    it('requires the bearer token', async () => {
      const http = () => request(sut.app.getHttpServer());

      const denied = await http().get('/metrics').expect(401);
      expect(denied.body.error.code).toBe('UNAUTHENTICATED');
      await http()
        .get('/metrics')
        .set('authorization', 'Bearer wrong-token-0123456789')
        .expect(401);
      await http()
        .get('/metrics')
        .set('authorization', 'Bearer scrape-token-0123456789')
        .expect(200);
    });
  });

  it('is absent when ENABLE_METRICS=false', async () => {
    const sut = await createTestApp({ ENABLE_METRICS: 'false' });
    try {
      await request(sut.app.getHttpServer()).get('/metrics').expect(404);
    } finally {
      await sut.close();
    }
  });
});
