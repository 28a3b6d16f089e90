/**
 * The organization whose owners and admins operate this deployment. The operator routes (`/metrics`,
 * `/health/detailed`) report on every tenant's traffic, so an owner of just any organization, which anyone
 * may create while registration is open, must not read them.
 */
export abstract class OperatorOrganization {
  abstract includes(organizationId: string): Promise<boolean>;
}
