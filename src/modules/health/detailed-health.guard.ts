import { CanActivate, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ForbiddenError } from '../../common/errors/domain-error';

/** /health/detailed exposes versions and internals: outside development it needs an operator's credentials. */
@Injectable()
export class DetailedHealthGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.env !== 'production') return true;
    throw new ForbiddenError(
      'Detailed health is not available in production without admin credentials',
    );
  }
}
