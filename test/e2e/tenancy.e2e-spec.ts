import request from 'supertest';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../../src/modules/auth/tokens/token-hash';
import {
  addUser,
  createApiKey,
  DEFAULT_PASSWORD,
  registerAccount,
  uniqueEmail,
  type Account,
} from '../factories/account.factory';
import { createTestApp, type TestApp } from '../support/test-app';

describe('Users, API keys and tenant isolation (e2e)', () => {
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const as = (account: Account) => ({ authorization: `Bearer ${account.accessToken}` });

  beforeAll(async () => {
    sut = await createTestApp();
  });
  afterAll(() => sut.close());

  describe('users', () => {
    it('lets owners and admins manage users of their organization', async () => {
      const owner = await registerAccount(sut.app);
      const admin = await addUser(sut.app, owner, 'admin');
      const member = await addUser(sut.app, admin, 'member');

      const list = await http().get('/api/v1/users').set(as(admin)).expect(200);
      expect(list.body.map((u: { email: string }) => u.email).sort()).toEqual(
        [owner.email, admin.email, member.email].sort(),
      );
      expect(JSON.stringify(list.body)).not.toMatch(/password/i);

      const patched = await http()
        .patch(`/api/v1/users/${member.userId}`)
        .set(as(admin))
        .send({ role: 'viewer' })
        .expect(200);
      expect(patched.body.role).toBe('viewer');
      await http().delete(`/api/v1/users/${member.userId}`).set(as(admin)).expect(204);
      await http().get(`/api/v1/users/${member.userId}`).set(as(admin)).expect(404);
    });

    it('refuses members, and protects owners from admins', async () => {
      const owner = await registerAccount(sut.app);
      const admin = await addUser(sut.app, owner, 'admin');
      const member = await addUser(sut.app, owner, 'member');

      const denied = await http().get('/api/v1/users').set(as(member)).expect(403);
      expect(denied.body.error.code).toBe('AUTH_ROLE_REQUIRED');
      const promote = await http()
        .post('/api/v1/users')
        .set(as(admin))
        .send({ email: uniqueEmail(), password: DEFAULT_PASSWORD, role: 'owner' })
        .expect(403);
      expect(promote.body.error.code).toBe('AUTH_OWNER_REQUIRED');
      await http().delete(`/api/v1/users/${owner.userId}`).set(as(admin)).expect(403);
    });

    it('keeps at least one owner and lets nobody change themselves here', async () => {
      const owner = await registerAccount(sut.app);
      const self = await http()
        .patch(`/api/v1/users/${owner.userId}`)
        .set(as(owner))
        .send({ role: 'member' })
        .expect(409);
      expect(self.body.error.code).toBe('AUTH_SELF_MODIFICATION');

      const second = await addUser(sut.app, owner, 'owner');
      await http()
        .patch(`/api/v1/users/${owner.userId}`)
        .set(as(second))
        .send({ role: 'admin' })
        .expect(200);
      const last = await http()
        .patch(`/api/v1/users/${second.userId}`)
        .set(as(await addUser(sut.app, second, 'owner')))
        .send({ disabled: true })
        .expect(200);
      expect(last.body.disabledAt).not.toBeNull();
    });

    it('keeps an owner when two owners demote each other at the same moment', async () => {
      for (let round = 0; round < 3; round++) {
        const first = await registerAccount(sut.app);
        const second = await addUser(sut.app, first, 'owner');
        const [a, b] = await Promise.all([
          http().patch(`/api/v1/users/${second.userId}`).set(as(first)).send({ disabled: true }),
          http().patch(`/api/v1/users/${first.userId}`).set(as(second)).send({ role: 'admin' }),
        ]);
        // One of them goes first; the other then finds itself the last owner (or no longer one).
        expect([a.status, b.status].filter((status) => status === 200)).toHaveLength(1);
        const { body: users } = await http()
          .get('/api/v1/users')
          .set(as(a.status === 200 ? first : second));
        const activeOwners = (users as { role: string; disabledAt: string | null }[]).filter(
          (user) => user.role === 'owner' && user.disabledAt === null,
        );
        expect(activeOwners).toHaveLength(1);
      }
    });

    it('disabling a user ends their sessions at once', async () => {
      const owner = await registerAccount(sut.app);
      const member = await addUser(sut.app, owner, 'member');

      await http()
        .patch(`/api/v1/users/${member.userId}`)
        .set(as(owner))
        .send({ disabled: true })
        .expect(200);

      await http().get('/api/v1/auth/me').set(as(member)).expect(401);
      await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: member.refreshToken })
        .expect(401);
      const login = await http()
        .post('/api/v1/auth/login')
        .send({ email: member.email, password: member.password })
        .expect(401);
      expect(login.body.error.code).toBe('AUTH_ACCOUNT_DISABLED');
    });
  });

  describe('API keys', () => {
    it('creates a key whose secret is shown once and stored only as a hash', async () => {
      const owner = await registerAccount(sut.app);
      const created = await http()
        .post('/api/v1/api-keys')
        .set(as(owner))
        .send({ name: 'CRM', scopes: ['users:read'] })
        .expect(201);

      expect(created.body.secret).toMatch(/^sk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(created.body.secret.startsWith(created.body.prefix)).toBe(true);
      const [row] = await sut.app
        .get(DataSource)
        .query<{ secret_hash: string }[]>('SELECT secret_hash FROM api_keys WHERE id = $1', [
          created.body.id,
        ]);
      expect(row.secret_hash).toBe(sha256Hex(created.body.secret));
      const list = await http().get('/api/v1/api-keys').set(as(owner)).expect(200);
      expect(list.body).toHaveLength(1);
      expect(list.body[0].secret).toBeUndefined();
    });

    it('authenticates with Bearer or X-Api-Key, within its scopes only, until revoked', async () => {
      const owner = await registerAccount(sut.app);
      const key = await createApiKey(sut.app, owner, 'Reporting', ['users:read']);

      await http().get('/api/v1/users').set('authorization', `Bearer ${key.secret}`).expect(200);
      const listed = await http().get('/api/v1/users').set('x-api-key', key.secret).expect(200);
      expect(listed.body.map((u: { id: string }) => u.id)).toEqual([owner.userId]);

      const scope = await http()
        .post('/api/v1/users')
        .set('x-api-key', key.secret)
        .send({ email: uniqueEmail(), password: DEFAULT_PASSWORD, role: 'member' })
        .expect(403);
      expect(scope.body.error.code).toBe('AUTH_API_KEY_SCOPE');

      const notHere = await http().get('/api/v1/auth/me').set('x-api-key', key.secret).expect(401);
      expect(notHere.body.error.code).toBe('AUTH_API_KEY_NOT_ALLOWED');
      await http()
        .post('/api/v1/api-keys')
        .set('x-api-key', key.secret)
        .send({ name: 'x', scopes: [] })
        .expect(401);

      await http().delete(`/api/v1/api-keys/${key.id}`).set(as(owner)).expect(204);
      const revoked = await http().get('/api/v1/users').set('x-api-key', key.secret).expect(401);
      expect(revoked.body.error.code).toBe('AUTH_API_KEY_INVALID');
    });

    it('lets a users:write key manage members, never make or touch an administrator', async () => {
      const owner = await registerAccount(sut.app);
      const key = await createApiKey(sut.app, owner, 'Provisioning', ['users:write']);
      const asKey = { 'x-api-key': key.secret };

      const { body: member } = await http()
        .post('/api/v1/users')
        .set(asKey)
        .send({ email: uniqueEmail(), password: DEFAULT_PASSWORD, role: 'member' })
        .expect(201);
      const admin = await http()
        .post('/api/v1/users')
        .set(asKey)
        .send({ email: uniqueEmail(), password: DEFAULT_PASSWORD, role: 'admin' })
        .expect(403);
      expect(admin.body.error.code).toBe('AUTH_USER_REQUIRED');
      const promote = await http()
        .patch(`/api/v1/users/${member.id}`)
        .set(asKey)
        .send({ role: 'admin' })
        .expect(403);
      expect(promote.body.error.code).toBe('AUTH_USER_REQUIRED');
      await http()
        .patch(`/api/v1/users/${member.id}`)
        .set(asKey)
        .send({ role: 'viewer' })
        .expect(200);
      // A user with the power to do it still can.
      await http()
        .patch(`/api/v1/users/${member.id}`)
        .set(as(owner))
        .send({ role: 'admin' })
        .expect(200);
      // Nor may the key disable, demote or remove an administrator (one leaked key must not lock them all out).
      for (const attempt of [
        http().patch(`/api/v1/users/${member.id}`).set(asKey).send({ disabled: true }),
        http().patch(`/api/v1/users/${member.id}`).set(asKey).send({ role: 'viewer' }),
        http().delete(`/api/v1/users/${member.id}`).set(asKey),
      ]) {
        const refused = await attempt.expect(403);
        expect(refused.body.error.code).toBe('AUTH_USER_REQUIRED');
      }
      const stillAdmin = await http().get(`/api/v1/users/${member.id}`).set(as(owner)).expect(200);
      expect(stillAdmin.body).toMatchObject({ role: 'admin', disabledAt: null });
    });

    it('records use without writing on every request', async () => {
      const owner = await registerAccount(sut.app);
      const key = await createApiKey(sut.app, owner, 'Busy', ['users:read']);

      await http().get('/api/v1/users').set('x-api-key', key.secret).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [first] = await http()
        .get('/api/v1/api-keys')
        .set(as(owner))
        .then((r) => r.body);
      expect(first.lastUsedAt).not.toBeNull();

      await http().get('/api/v1/users').set('x-api-key', key.secret).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [second] = await http()
        .get('/api/v1/api-keys')
        .set(as(owner))
        .then((r) => r.body);
      expect(second.lastUsedAt).toBe(first.lastUsedAt);
    });

    it('rejects unknown scopes, past expiries and expired keys', async () => {
      const owner = await registerAccount(sut.app);
      await http()
        .post('/api/v1/api-keys')
        .set(as(owner))
        .send({ name: 'x', scopes: ['root'] })
        .expect(422);
      await http()
        .post('/api/v1/api-keys')
        .set(as(owner))
        .send({ name: 'x', scopes: [], expiresAt: '2001-01-01T00:00:00Z' })
        .expect(422);

      const { body: key } = await http()
        .post('/api/v1/api-keys')
        .set(as(owner))
        .send({
          name: 'Short-lived',
          scopes: ['users:read'],
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        })
        .expect(201);
      await sut.app
        .get(DataSource)
        .query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
          key.id,
        ]);
      await http().get('/api/v1/users').set('x-api-key', key.secret).expect(401);
    });
  });

  describe('tenant isolation', () => {
    let a: Account;
    let b: Account;
    let bMember: Account;
    let bKeyId: string;

    beforeAll(async () => {
      a = await registerAccount(sut.app);
      b = await registerAccount(sut.app);
      bMember = await addUser(sut.app, b, 'member');
      bKeyId = (await createApiKey(sut.app, b, 'B key', ['users:read'])).id;
    });

    it('lists only the caller organization', async () => {
      const users = await http().get('/api/v1/users').set(as(a)).expect(200);
      expect(users.body.map((u: { id: string }) => u.id)).toEqual([a.userId]);
      const keys = await http().get('/api/v1/api-keys').set(as(a)).expect(200);
      expect(keys.body).toEqual([]);
    });

    it("answers 404, never 403 or data, for another organization's user", async () => {
      const read = await http().get(`/api/v1/users/${bMember.userId}`).set(as(a)).expect(404);
      expect(read.body.error.code).toBe('USER_NOT_FOUND');
      expect(JSON.stringify(read.body)).not.toContain(bMember.email);
      await http()
        .patch(`/api/v1/users/${bMember.userId}`)
        .set(as(a))
        .send({ role: 'admin' })
        .expect(404);
      await http()
        .patch(`/api/v1/users/${bMember.userId}`)
        .set(as(a))
        .send({ disabled: true })
        .expect(404);
      await http().delete(`/api/v1/users/${bMember.userId}`).set(as(a)).expect(404);
    });

    it("answers 404 for another organization's API key", async () => {
      const revoke = await http().delete(`/api/v1/api-keys/${bKeyId}`).set(as(a)).expect(404);
      expect(revoke.body.error.code).toBe('API_KEY_NOT_FOUND');
    });

    it('left B untouched', async () => {
      const member = await http().get(`/api/v1/users/${bMember.userId}`).set(as(b)).expect(200);
      expect(member.body).toMatchObject({ role: 'member', disabledAt: null });
      const keys = await http().get('/api/v1/api-keys').set(as(b)).expect(200);
      expect(keys.body).toEqual([expect.objectContaining({ id: bKeyId, revokedAt: null })]);
    });

    it('scopes API keys to their organization too', async () => {
      const { body: key } = await http()
        .post('/api/v1/api-keys')
        .set(as(a))
        .send({ name: 'A key', scopes: ['users:read'] })
        .expect(201);
      await http().get(`/api/v1/users/${bMember.userId}`).set('x-api-key', key.secret).expect(404);
    });
  });
});
