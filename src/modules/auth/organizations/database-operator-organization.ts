import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { OperatorOrganization } from '../../../common/auth/operator-organization';
import { AppConfig } from '../../../config/app-config';
import { OrganizationsRepository } from './organizations.repository';

/** How long "no such organization yet" is believed before the database is asked again. */
const MISS_TTL_MS = 5_000;

/**
 * The organization named by OPERATOR_ORGANIZATION, or else the first one registered: on a new installation
 * that is the account of whoever set it up. Looked up once it exists, then remembered (an organization's
 * slug and creation time never change); until then a miss is remembered briefly, so that requests to the
 * operator routes do not each cost a query.
 */
@Injectable()
export class DatabaseOperatorOrganization
  extends OperatorOrganization
  implements OnApplicationBootstrap
{
  private readonly logger = new Logger('OperatorOrganization');
  private operatorId: string | undefined;
  private missedAt = -Infinity;

  constructor(
    private readonly config: AppConfig,
    private readonly organizations: OrganizationsRepository,
  ) {
    super();
  }

  /** A named organization that does not exist yet deserves a warning: its slug is anyone's to register. */
  async onApplicationBootstrap(): Promise<void> {
    const slug = this.config.auth.operatorOrganization;
    if (slug === undefined) return;
    // Only a warning hangs on it: a failed look-up must not stop the boot (requests look again).
    const found = await this.organizations.findBySlug(slug).catch(() => undefined);
    if (found === undefined) return;
    if (found) {
      this.operatorId = found.id;
      return;
    }
    this.logger.warn(
      `OPERATOR_ORGANIZATION names no organization ('${slug}'): only METRICS_TOKEN reads /metrics and /health/detailed until it is registered` +
        (this.config.auth.registrationEnabled
          ? `, and whoever registers '${slug}' first will operate this deployment: register it now, or set AUTH_REGISTRATION_ENABLED=false`
          : ''),
    );
  }

  async includes(organizationId: string): Promise<boolean> {
    return (await this.resolve()) === organizationId;
  }

  private async resolve(): Promise<string | undefined> {
    if (this.operatorId !== undefined) return this.operatorId;
    if (Date.now() - this.missedAt < MISS_TTL_MS) return undefined;
    const slug = this.config.auth.operatorOrganization;
    const found =
      slug === undefined
        ? await this.organizations.findFirstRegistered()
        : await this.organizations.findBySlug(slug);
    if (found) this.operatorId = found.id;
    else this.missedAt = Date.now();
    return this.operatorId;
  }
}
