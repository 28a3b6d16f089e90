import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AllowOperatorToken, Roles } from '../auth/auth.decorators';
import { OperatorOrganization } from '../auth/operator-organization';
import type { Principal } from '../auth/principal';
import { RolesGuard } from './roles.guard';

const OPERATING = 'org-operating';

/** The port, answering from a fixed id (the database-backed one is covered by the e2e suites). */
class FixedOperatorOrganization extends OperatorOrganization {
  includes(organizationId: string): Promise<boolean> {
    return Promise.resolve(organizationId === OPERATING);
  }
}

class Routes {
  @AllowOperatorToken()
  @Roles('owner', 'admin')
  metrics(): void {}

  // An operator route that forgot its roles must still admit no plain user.
  @AllowOperatorToken()
  operatorWithoutRoles(): void {}

  @Roles('owner', 'admin')
  users(): void {}

  open(): void {}
}

function contextFor(handler: keyof Routes, user: Principal | undefined): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ user }) }),
  } as unknown as ExecutionContext;
}

const user = (role: 'owner' | 'admin' | 'member', organizationId: string): Principal => ({
  kind: 'user',
  userId: 'u1',
  organizationId,
  role,
  email: 'someone@example.test',
});

describe(RolesGuard.name, () => {
  const sut = new RolesGuard(new Reflector(), new FixedOperatorOrganization());

  it('admits the operating organization’s owners and admins to operator routes', async () => {
    await expect(sut.canActivate(contextFor('metrics', user('owner', OPERATING)))).resolves.toBe(
      true,
    );
    await expect(sut.canActivate(contextFor('metrics', user('admin', OPERATING)))).resolves.toBe(
      true,
    );
  });

  it('refuses another organization’s owner on operator routes', async () => {
    await expect(
      sut.canActivate(contextFor('metrics', user('owner', 'org-other'))),
    ).rejects.toMatchObject({ code: 'AUTH_OPERATOR_REQUIRED' });
  });

  it('holds users to owner or admin on an operator route that names no roles', async () => {
    await expect(
      sut.canActivate(contextFor('operatorWithoutRoles', user('member', OPERATING))),
    ).rejects.toMatchObject({ code: 'AUTH_ROLE_REQUIRED' });
    await expect(
      sut.canActivate(contextFor('operatorWithoutRoles', user('owner', 'org-other'))),
    ).rejects.toMatchObject({ code: 'AUTH_OPERATOR_REQUIRED' });
  });

  it('leaves the operator token and API keys to the authentication guard', async () => {
    await expect(sut.canActivate(contextFor('metrics', { kind: 'operator' }))).resolves.toBe(true);
    await expect(
      sut.canActivate(
        contextFor('users', {
          kind: 'api_key',
          apiKeyId: 'k1',
          organizationId: 'org-other',
          scopes: ['users:read'],
        }),
      ),
    ).resolves.toBe(true);
  });

  it('asks nothing of the operating organization on tenant routes', async () => {
    await expect(sut.canActivate(contextFor('users', user('admin', 'org-other')))).resolves.toBe(
      true,
    );
    await expect(
      sut.canActivate(contextFor('users', user('member', 'org-other'))),
    ).rejects.toMatchObject({ code: 'AUTH_ROLE_REQUIRED' });
    await expect(sut.canActivate(contextFor('open', user('member', 'org-other')))).resolves.toBe(
      true,
    );
  });
});
