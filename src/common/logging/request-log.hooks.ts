import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

// Probes and scrapes, and provider webhooks whose handlers log what happened (a call arrived, moved on): a line
// per request there would only double the volume, so they log at debug. Failures are logged whatever the route.
const QUIET_ROUTES = new Set([
  '/health/live',
  '/health/ready',
  '/metrics',
  '/telephony/twilio/voice',
  '/telephony/twilio/status',
  '/telephony/twilio/queue-wait',
]);

type Level = 'debug' | 'info' | 'warn' | 'error';

export function requestLogLevel(statusCode: number, path: string): Level {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return QUIET_ROUTES.has(path) ? 'debug' : 'info';
}

/**
 * One line per HTTP request as its response finishes: method, URL (phone numbers masked), status, duration (the
 * logger's `req` and `res` serializers keep only those).
 */
@Injectable()
export class RequestLogHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly logger: PinoLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      const level = requestLogLevel(reply.statusCode, request.url.split('?', 1)[0]);
      this.write(
        level,
        request,
        reply.statusCode >= 500 ? 'request errored' : 'request completed',
        {
          res: reply,
          responseTime: Math.round(reply.elapsedTime),
        },
      );
      done();
    });
    // The client went away before the answer (for a provider's webhook: it timed out and will retry or fall back).
    fastify.addHook('onRequestAbort', (request, done) => {
      this.write('warn', request, 'request aborted', {});
      done();
    });
  }

  private write(
    level: Level,
    request: FastifyRequest,
    message: string,
    fields: Record<string, unknown>,
  ): void {
    if (!this.logger.logger.isLevelEnabled(level)) return;
    this.logger[level](
      {
        // Set here as well as by the mixin: the response may finish outside the request's async context.
        requestId: request.id,
        req: request,
        ...fields,
      },
      message,
    );
  }
}
