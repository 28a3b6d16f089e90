import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { validateRequest } from 'twilio';
import { ForbiddenError } from '../../../common/errors/domain-error';
import { AppConfig } from '../../../config/app-config';

/**
 * Verifies `X-Twilio-Signature` with the twilio SDK against the URL Twilio was given: PUBLIC_BASE_URL plus the
 * path and query we received (TLS terminates at proxies, so our own Host header is not what Twilio signed),
 * and every POST parameter. Runs before anything is read or written.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger('TwilioSignature');

  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const authToken = this.config.telephony.twilio.authToken;
    if (!authToken) {
      this.logger.error(
        'Refused a Twilio webhook: TWILIO_AUTH_TOKEN is not set, so it cannot be verified',
      );
      throw new ForbiddenError('Twilio webhooks are not configured', 'TWILIO_NOT_CONFIGURED');
    }
    const signature = request.headers['x-twilio-signature'];
    const url = this.config.server.publicBaseUrl + request.url;
    const params = (request.body ?? {}) as Record<string, unknown>;
    if (typeof signature !== 'string' || !validateRequest(authToken, signature, url, params)) {
      this.logger.warn(
        `Refused a Twilio webhook with ${signature ? 'an invalid' : 'no'} signature for ${request.url}`,
      );
      throw new ForbiddenError('Invalid Twilio signature', 'TWILIO_SIGNATURE_INVALID');
    }
    return true;
  }
}
