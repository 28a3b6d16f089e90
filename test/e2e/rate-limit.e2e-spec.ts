import request from 'supertest';
import { registerAccount, uniqueEmail } from '../factories/account.factory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Rate limits (e2e)', () => {
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  // Each call gives a client address (trusted from loopback) no earlier call of the run gave, so counters never
  // collide (independent random ones did, one run in 250, and a test started already limited); the run's
  // first address is random, so a rerun against the same Redis within the window starts elsewhere.
  let lastHost = Math.floor(Math.random() * 200);
  const clientIp = () => `198.51.100.${++lastHost}`;

  beforeAll(async () => {
    sut = await createTestApp({ AUTH_RATE_LIMIT: '3', ADMIN_RATE_LIMIT: '4' });
  });
  afterAll(() => sut.close());

  it('limits login attempts per account and answers 429 with Retry-After', async () => {
    const email = uniqueEmail('target');
    const attempt = () =>
      http()
        .post('/api/v1/auth/login')
        .set('x-forwarded-for', clientIp())
        .send({ email, password: 'guess guess guess' });

    for (let i = 0; i < 3; i++) await attempt().expect(401);
    const limited = await attempt().expect(429);

    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('limits login attempts per IP across accounts', async () => {
    const ip = clientIp();
    const attempt = () =>
      http()
        .post('/api/v1/auth/login')
        .set('x-forwarded-for', ip)
        .send({ email: uniqueEmail(), password: 'guess guess guess' });

    for (let i = 0; i < 3; i++) await attempt().expect(401);
    await attempt().expect(429);
    await http()
      .post('/api/v1/auth/login')
      .set('x-forwarded-for', clientIp())
      .send({ email: uniqueEmail(), password: 'guess guess guess' })
      .expect(401);
  });

  it('limits guesses of the current password per account, from however many addresses', async () => {
    const owner = await registerAccount(sut.app);
    const guess = () =>
      http()
        .post('/api/v1/auth/change-password')
        .set('x-forwarded-for', clientIp())
        .set('authorization', `Bearer ${owner.accessToken}`)
        .send({ currentPassword: 'not the password at all', newPassword: 'a new password 123' });

    for (let i = 0; i < 3; i++) expect((await guess()).status).not.toBe(429);
    const limited = await guess().expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });

  it('limits admin routes per principal', async () => {
    const owner = await registerAccount(sut.app);
    const list = () =>
      http().get('/api/v1/users').set('authorization', `Bearer ${owner.accessToken}`);

    for (let i = 0; i < 4; i++) await list().expect(200);
    const limited = await list().expect(429);
    expect(limited.headers['retry-after']).toBeDefined();

    const other = await registerAccount(sut.app);
    await http()
      .get('/api/v1/users')
      .set('authorization', `Bearer ${other.accessToken}`)
      .expect(200);
  });
});
