import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

// Every test file loads this afresh: a random start keeps their client addresses (and so their rate-limit
// counters in a shared Redis) apart.
let sequence = Math.floor(Math.random() * 60_000);

export const DEFAULT_PASSWORD = 'correct horse battery staple';

/** A distinct client address per call (trusted from loopback), so suites never share rate-limit counters. */
export function clientAddress(): string {
  sequence += 1;
  return `203.0.${Math.floor(sequence / 250) % 250}.${(sequence % 250) + 1}`;
}

export function uniqueEmail(label = 'user'): string {
  sequence += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${sequence}@example.test`;
}

/**
 * A slug no other suite registers. An app booted with `OPERATOR_ORGANIZATION` set to it, whose account is then
 * registered with it, is operated by that account (the suites share one database: "the first organization
 * registered" is nobody's in particular there).
 */
export function uniqueSlug(label = 'org'): string {
  sequence += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

export interface Account {
  organizationId: string;
  userId: string;
  email: string;
  password: string;
  role: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a new organization through the API and returns its owner, logged in. */
export async function registerAccount(
  app: NestFastifyApplication,
  overrides: {
    organizationName?: string;
    organizationSlug?: string;
    email?: string;
    password?: string;
  } = {},
): Promise<Account> {
  const email = overrides.email ?? uniqueEmail('owner');
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const registered = await request(app.getHttpServer())
    .post('/api/v1/auth/register')
    .set('x-forwarded-for', clientAddress())
    .send({
      organizationName: overrides.organizationName ?? `Org ${email}`,
      ...(overrides.organizationSlug && { organizationSlug: overrides.organizationSlug }),
      email,
      password,
    })
    .expect(201);
  return withIdentity(app, email, password, registered.body);
}

/** Adds a user with `role` to the admin's organization through the API, and logs them in. */
export async function addUser(
  app: NestFastifyApplication,
  admin: Account,
  role: 'owner' | 'admin' | 'member' | 'viewer',
): Promise<Account> {
  const email = uniqueEmail(role);
  await request(app.getHttpServer())
    .post('/api/v1/users')
    .set('authorization', `Bearer ${admin.accessToken}`)
    .send({ email, password: DEFAULT_PASSWORD, role })
    .expect(201);
  const login = await request(app.getHttpServer())
    .post('/api/v1/auth/login')
    .set('x-forwarded-for', clientAddress())
    .send({ email, password: DEFAULT_PASSWORD })
    .expect(200);
  return withIdentity(app, email, DEFAULT_PASSWORD, login.body);
}

/** Creates an API key in the account's organization through the API; `secret` is shown only here. */
export async function createApiKey(
  app: NestFastifyApplication,
  account: Account,
  name: string,
  scopes: string[],
): Promise<{ id: string; secret: string }> {
  const created = await request(app.getHttpServer())
    .post('/api/v1/api-keys')
    .set('authorization', `Bearer ${account.accessToken}`)
    .send({ name, scopes })
    .expect(201);
  return created.body as { id: string; secret: string };
}

async function withIdentity(
  app: NestFastifyApplication,
  email: string,
  password: string,
  tokens: { accessToken: string; refreshToken: string },
): Promise<Account> {
  const me = await request(app.getHttpServer())
    .get('/api/v1/auth/me')
    .set('authorization', `Bearer ${tokens.accessToken}`)
    .expect(200);
  return {
    organizationId: me.body.organization.id,
    userId: me.body.user.id,
    role: me.body.user.role,
    email,
    password,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  };
}
