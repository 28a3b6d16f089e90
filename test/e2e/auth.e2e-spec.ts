import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { RefreshToken } from '../../src/modules/auth/tokens/refresh-token.entity';
import { sha256Hex } from '../../src/modules/auth/tokens/token-hash';
import { DEFAULT_PASSWORD, registerAccount, uniqueEmail } from '../factories/account.factory';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app';

const GRACE_MS = 800;

function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** Builds a JWT by hand, so tests can forge exactly the token an attacker would. */
function forgeJwt(header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  const algorithm = (header as { alg: string }).alg === 'HS512' ? 'sha512' : 'sha256';
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`;
}

// Passport keeps strategies process-wide, so each suite here runs its own app and never two at once.
describe('Auth (e2e)', () => {
  describe('with the default configuration', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    beforeAll(async () => {
      sut = await createTestApp({ JWT_REFRESH_REUSE_GRACE: `${GRACE_MS / 1000}s` });
    });
    afterAll(() => sut.close());

    describe('register, login, me', () => {
      it('registers an organization with its owner and returns a token pair', async () => {
        const email = uniqueEmail('founder');
        const response = await http()
          .post('/api/v1/auth/register')
          .send({
            organizationName: 'Acme Dental',
            email: email.toUpperCase(),
            password: DEFAULT_PASSWORD,
          })
          .expect(201);

        expect(response.body).toEqual({
          accessToken: expect.any(String),
          refreshToken: expect.stringMatching(/^sbr_/),
          expiresIn: 900,
          tokenType: 'Bearer',
        });
        const me = await http()
          .get('/api/v1/auth/me')
          .set('authorization', `Bearer ${response.body.accessToken}`)
          .expect(200);
        expect(me.body.user).toMatchObject({ email, role: 'owner' });
        expect(me.body.organization).toMatchObject({ name: 'Acme Dental', status: 'active' });
        expect(me.body.organization.slug).toMatch(/^acme-dental/);
        expect(JSON.stringify(me.body)).not.toMatch(/password/i);
      });

      it('puts sub, org, role, iss and aud in the access token', async () => {
        const owner = await registerAccount(sut.app);
        const claims = JSON.parse(
          Buffer.from(owner.accessToken.split('.')[1], 'base64url').toString(),
        );

        expect(claims).toMatchObject({
          sub: owner.userId,
          org: owner.organizationId,
          role: 'owner',
          iss: 'switchboard',
          aud: 'switchboard-api',
        });
        expect(claims.exp - claims.iat).toBe(900);
        expect(
          JSON.parse(Buffer.from(owner.accessToken.split('.')[0], 'base64url').toString()).alg,
        ).toBe('HS256');
      });

      it('refuses a second registration with the same email in any case', async () => {
        const owner = await registerAccount(sut.app);
        const response = await http()
          .post('/api/v1/auth/register')
          .send({
            organizationName: 'Other',
            email: owner.email.toUpperCase(),
            password: DEFAULT_PASSWORD,
          })
          .expect(409);
        expect(response.body.error.code).toBe('AUTH_EMAIL_TAKEN');
      });

      it('rejects short passwords and malformed emails with 422', async () => {
        const response = await http()
          .post('/api/v1/auth/register')
          .send({ organizationName: 'X Corp', email: 'not-an-email', password: 'short' })
          .expect(422);
        const fields = response.body.error.details.fields.map((f: { field: string }) => f.field);
        expect(fields.sort()).toEqual(['email', 'password']);
      });

      it('logs in case-insensitively and records the login', async () => {
        const owner = await registerAccount(sut.app);
        const login = await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email.toUpperCase(), password: owner.password })
          .expect(200);
        const me = await http()
          .get('/api/v1/auth/me')
          .set('authorization', `Bearer ${login.body.accessToken}`)
          .expect(200);
        expect(me.body.user.lastLoginAt).not.toBeNull();
      });

      it('answers a wrong password and an unknown email identically', async () => {
        const owner = await registerAccount(sut.app);
        const wrongPassword = await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: 'wrong password, long enough' })
          .expect(401);
        const unknownUser = await http()
          .post('/api/v1/auth/login')
          .send({ email: uniqueEmail('ghost'), password: 'wrong password, long enough' })
          .expect(401);

        const strip = (body: { error: Record<string, unknown> }) => ({
          ...body.error,
          requestId: undefined,
        });
        expect(strip(wrongPassword.body)).toEqual(strip(unknownUser.body));
        expect(wrongPassword.body.error.code).toBe('AUTH_INVALID_CREDENTIALS');
      });
    });

    describe('refresh tokens', () => {
      const refresh = (refreshToken: string) =>
        http().post('/api/v1/auth/refresh').send({ refreshToken });
      const storedToken = (raw: string) =>
        sut.app
          .get(DataSource)
          .getRepository(RefreshToken)
          .findOneByOrFail({ tokenHash: sha256Hex(raw) });

      it('stores only a SHA-256 of each refresh token', async () => {
        const owner = await registerAccount(sut.app);
        const rows = await sut.app
          .get(DataSource)
          .query<{ token_hash: string }[]>(
            'SELECT token_hash FROM refresh_tokens WHERE user_id = $1',
            [owner.userId],
          );
        expect(rows).toEqual([{ token_hash: sha256Hex(owner.refreshToken) }]);
        expect(JSON.stringify(rows)).not.toContain(owner.refreshToken);
      });

      it('rotates on every use: a new pair, and the old token is marked rotated', async () => {
        const owner = await registerAccount(sut.app);

        const first = await refresh(owner.refreshToken).expect(200);
        expect(first.body.refreshToken).not.toBe(owner.refreshToken);
        await http()
          .get('/api/v1/auth/me')
          .set('authorization', `Bearer ${first.body.accessToken}`)
          .expect(200);

        const parent = await storedToken(owner.refreshToken);
        const child = await storedToken(first.body.refreshToken);
        expect(parent).toMatchObject({ revokedReason: 'rotated', replacedById: child.id });
        expect(child).toMatchObject({
          familyId: parent.familyId,
          parentId: parent.id,
          revokedAt: null,
        });
      });

      it('hands a client that lost the response the same successor within the grace window', async () => {
        const owner = await registerAccount(sut.app);

        const first = await refresh(owner.refreshToken).expect(200);
        const retry = await refresh(owner.refreshToken).expect(200);

        expect(retry.body.refreshToken).toBe(first.body.refreshToken);
        await refresh(retry.body.refreshToken).expect(200);
      });

      it('treats reuse of a rotated token after the grace window as theft: the whole family is revoked', async () => {
        const owner = await registerAccount(sut.app);
        const first = await refresh(owner.refreshToken).expect(200);
        await sleep(GRACE_MS + 200);

        const reuse = await refresh(owner.refreshToken).expect(401);
        expect(reuse.body.error.code).toBe('AUTH_REFRESH_REUSED');

        const successor = await refresh(first.body.refreshToken).expect(401);
        expect(successor.body.error.code).toBe('AUTH_REFRESH_REVOKED');
        expect(await storedToken(first.body.refreshToken)).toMatchObject({
          revokedReason: 'reuse_detected',
        });
      });

      it('rejects unknown and expired refresh tokens', async () => {
        const unknown = await refresh('sbr_this-token-was-never-issued').expect(401);
        expect(unknown.body.error.code).toBe('AUTH_REFRESH_INVALID');

        const owner = await registerAccount(sut.app);
        await sut.app
          .get(DataSource)
          .getRepository(RefreshToken)
          .update(
            { tokenHash: sha256Hex(owner.refreshToken) },
            { expiresAt: new Date(Date.now() - 1000) },
          );
        const expired = await refresh(owner.refreshToken).expect(401);
        expect(expired.body.error.code).toBe('AUTH_REFRESH_EXPIRED');
      });

      it('revoke ends one session, revoke-all ends every session of the user', async () => {
        const owner = await registerAccount(sut.app);
        const laptop = await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: owner.password })
          .expect(200);
        const phone = await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: owner.password })
          .expect(200);

        await http()
          .post('/api/v1/auth/revoke')
          .send({ refreshToken: laptop.body.refreshToken })
          .expect(204);
        expect((await refresh(laptop.body.refreshToken).expect(401)).body.error.code).toBe(
          'AUTH_REFRESH_REVOKED',
        );
        await refresh(phone.body.refreshToken)
          .expect(200)
          .then(async (rotated) => {
            const all = await http()
              .post('/api/v1/auth/revoke-all')
              .set('authorization', `Bearer ${owner.accessToken}`)
              .expect(200);
            expect(all.body.revoked).toBeGreaterThanOrEqual(2);
            await refresh(rotated.body.refreshToken).expect(401);
            await refresh(owner.refreshToken).expect(401);
          });
      });

      it('a password change revokes every session and starts a fresh one', async () => {
        const owner = await registerAccount(sut.app);
        const other = await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: owner.password })
          .expect(200);

        const changed = await http()
          .post('/api/v1/auth/change-password')
          .set('authorization', `Bearer ${owner.accessToken}`)
          .send({ currentPassword: owner.password, newPassword: 'a brand new long passphrase' })
          .expect(200);

        await refresh(other.body.refreshToken).expect(401);
        await refresh(owner.refreshToken).expect(401);
        await refresh(changed.body.refreshToken).expect(200);
        await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: owner.password })
          .expect(401);
        await http()
          .post('/api/v1/auth/login')
          .send({ email: owner.email, password: 'a brand new long passphrase' })
          .expect(200);
      });
    });

    describe('access tokens', () => {
      const me = (token: string) =>
        http().get('/api/v1/auth/me').set('authorization', `Bearer ${token}`);
      const claimsOf = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

      it.each([
        ['missing', undefined, 'UNAUTHENTICATED'],
        ['malformed', 'not.a.jwt', 'AUTH_TOKEN_INVALID'],
      ])('rejects a %s token with 401', async (_case, token, code) => {
        const response = await (token ? me(token) : http().get('/api/v1/auth/me')).expect(401);
        expect(response.body.error.code).toBe(code);
      });

      it('rejects an expired token', async () => {
        const owner = await registerAccount(sut.app);
        const now = Math.floor(Date.now() / 1000);
        const token = forgeJwt(
          { alg: 'HS256', typ: 'JWT' },
          { ...claimsOf(owner.accessToken), iat: now - 1000, exp: now - 60 },
        );
        expect((await me(token).expect(401)).body.error.code).toBe('AUTH_TOKEN_EXPIRED');
      });

      it('accepts a correctly forged token, proving the forgery helper itself is right', async () => {
        const owner = await registerAccount(sut.app);
        await me(forgeJwt({ alg: 'HS256', typ: 'JWT' }, claimsOf(owner.accessToken))).expect(200);
      });

      it('rejects a tampered payload', async () => {
        const owner = await registerAccount(sut.app);
        const [header, , signature] = owner.accessToken.split('.');
        const payload = base64url({
          ...claimsOf(owner.accessToken),
          role: 'owner',
          org: crypto.randomUUID(),
        });
        await me(`${header}.${payload}.${signature}`).expect(401);
      });

      it('rejects alg:none', async () => {
        const owner = await registerAccount(sut.app);
        const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claimsOf(owner.accessToken))}.`;
        await me(token).expect(401);
      });

      it('rejects another algorithm, even signed with the right secret', async () => {
        const owner = await registerAccount(sut.app);
        await me(forgeJwt({ alg: 'HS512', typ: 'JWT' }, claimsOf(owner.accessToken))).expect(401);
      });

      it('rejects a token signed with another key', async () => {
        const owner = await registerAccount(sut.app);
        const token = forgeJwt(
          { alg: 'HS256', typ: 'JWT' },
          claimsOf(owner.accessToken),
          'x'.repeat(48),
        );
        await me(token).expect(401);
      });

      it.each([
        ['audience', { aud: 'someone-else' }],
        ['issuer', { iss: 'evil-issuer' }],
      ])('rejects a wrong %s', async (_case, override) => {
        const owner = await registerAccount(sut.app);
        await me(
          forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(owner.accessToken), ...override }),
        ).expect(401);
      });

      it('stops accepting tokens of a user who was disabled', async () => {
        const owner = await registerAccount(sut.app);
        await sut.app
          .get(DataSource)
          .query('UPDATE users SET disabled_at = now() WHERE id = $1', [owner.userId]);
        expect((await me(owner.accessToken).expect(401)).body.error.code).toBe(
          'AUTH_ACCOUNT_DISABLED',
        );
      });
    });
  });

  it('can close registration', async () => {
    const closed = await createTestApp({ AUTH_REGISTRATION_ENABLED: 'false' });
    try {
      const response = await request(closed.app.getHttpServer())
        .post('/api/v1/auth/register')
        .send({ organizationName: 'Late Co', email: uniqueEmail(), password: DEFAULT_PASSWORD })
        .expect(403);
      expect(response.body.error.code).toBe('AUTH_REGISTRATION_DISABLED');
    } finally {
      await closed.close();
    }
  });

  it('signs and verifies with an ES256 key pair when configured', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es = await createTestApp({
      JWT_ALGORITHM: 'ES256',
      JWT_SECRET: undefined,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    try {
      const owner = await registerAccount(es.app);
      expect(
        JSON.parse(Buffer.from(owner.accessToken.split('.')[0], 'base64url').toString()).alg,
      ).toBe('ES256');
      // An HS256 token signed with the public key (the classic key-confusion attack) is refused.
      const confused = forgeJwt(
        { alg: 'HS256', typ: 'JWT' },
        JSON.parse(Buffer.from(owner.accessToken.split('.')[1], 'base64url').toString()),
        publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      );
      await request(es.app.getHttpServer())
        .get('/api/v1/auth/me')
        .set('authorization', `Bearer ${confused}`)
        .expect(401);
    } finally {
      await es.close();
    }
  });
});

describe('Development JWT secret (e2e)', () => {
  it('is generated once into DATA_DIR and survives a restart', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-jwt-'));
    try {
      const first = await createTestApp({
        NODE_ENV: 'development',
        JWT_SECRET: undefined,
        DATA_DIR: dataDir,
      });
      let owner;
      try {
        owner = await registerAccount(first.app);
      } finally {
        await first.close();
      }
      const secret = await readFile(path.join(dataDir, 'jwt-secret'), 'utf8');
      expect(secret.trim().length).toBeGreaterThanOrEqual(32);
      expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);

      const second = await createTestApp({
        NODE_ENV: 'development',
        JWT_SECRET: undefined,
        DATA_DIR: dataDir,
      });
      try {
        await request(second.app.getHttpServer())
          .get('/api/v1/auth/me')
          .set('authorization', `Bearer ${owner.accessToken}`)
          .expect(200);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
