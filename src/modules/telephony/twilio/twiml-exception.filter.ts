import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, RateLimitedError } from '../../../common/errors/domain-error';
import { APOLOGY, Twiml } from './twiml';

/**
 * Twilio routes never answer JSON or a stack trace: a refused signature is a 403, an over-limit caller a 429
 * that rejects the call, and anything else the caller hears an apology before the call ends.
 */
@Catch()
export class TwimlExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('TwilioWebhook');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 200;
    let body = Twiml.sayAndHangup(APOLOGY);
    if (exception instanceof RateLimitedError) {
      status = 429;
      body = Twiml.rejectBusy();
      void reply.header('retry-after', String(Math.ceil(exception.retryAfterSeconds)));
    } else if (exception instanceof DomainError && exception.kind === 'forbidden') {
      status = 403;
      body = Twiml.sayAndHangup(APOLOGY);
    } else if (exception instanceof DomainError && exception.kind === 'validation') {
      this.logger.warn(`Malformed Twilio webhook on ${request.url}: ${exception.message}`);
    } else {
      this.logger.error(exception instanceof Error ? exception : new Error(String(exception)));
    }
    void reply.status(status).header('content-type', 'text/xml; charset=utf-8').send(body);
  }
}
