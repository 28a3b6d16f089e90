import { Injectable, Logger } from '@nestjs/common';
import { OperatorOrganization } from '../../../common/auth/operator-organization';
import { AppConfig } from '../../../config/app-config';
import { OrganizationsRepository } from './organizations.repository';

/**
 * The organization named by OPERATOR_ORGANIZATION, or else the first one registered: on a new installation
 * that is the account of whoever set it up. Looked up once it exists, then remembered (an organization's
 * slug and creation time never change).
 */
@Injectable()
export class DatabaseOperatorOrganization extends OperatorOrganization {
  private readonly logger = new Logger('OperatorOrganization');
  private operatorId: string | undefined;
  private warned = false;

  constructor(
    private readonly config: AppConfig,
    private readonly organizations: OrganizationsRepository,
  ) {
    super();
  }

  async includes(organizationId: string): Promise<boolean> {
    this.operatorId ??= await this.resolve();
    return this.operatorId === organizationId;
  }

  private async resolve(): Promise<string | undefined> {
    const slug = this.config.auth.operatorOrganization;
    if (slug === undefined) return (await this.organizations.findFirstRegistered())?.id;
    const named = await this.organizations.findBySlug(slug);
    if (!named && !this.warned) {
      this.warned = true;
      this.logger.warn(
        `OPERATOR_ORGANIZATION names no organization ('${slug}'): until it is registered, only METRICS_TOKEN reads /metrics and /health/detailed`,
      );
    }
    return named?.id;
  }
}
