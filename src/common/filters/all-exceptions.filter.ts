import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '../errors/error-response';
import { reportError } from '../errors/error-reporting';

/**
 * The single place where errors become HTTP responses. Domain errors map by kind, Nest's and Fastify's own
 * exceptions by status; anything else is a 500 whose body reveals nothing (the full error goes to the log and,
 * when configured, to Sentry).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapError(exception, String(request.id));
    if (mapped.unexpected) {
      this.logger.error(exception instanceof Error ? exception : new Error(String(exception)));
      reportError(exception);
    }
    if (reply.sent) return;
    void reply.status(mapped.status).headers(mapped.headers).send(mapped.body);
  }
}
