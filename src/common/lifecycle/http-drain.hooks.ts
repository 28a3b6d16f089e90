import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ServiceUnavailableError } from '../errors/domain-error';
import { mapError } from '../errors/error-response';
import { ShutdownService } from './shutdown.service';

// Probes and scrapes keep answering during a drain: that is how the orchestrator sees it. Provider webhooks
// keep being served too: they answer new calls with draining TwiML and let live calls report their end.
const ALWAYS_SERVED = /^\/(health\/|metrics(\?|$)|telephony\/)/;

/** Counts in-flight HTTP requests for the drain and refuses new ones once shutdown has begun. */
@Injectable()
export class HttpDrainHooks implements OnModuleInit {
  private inFlight = 0;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly shutdown: ShutdownService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    this.shutdown.register({ name: 'HTTP requests', inFlight: () => this.inFlight });

    fastify.addHook('onRequest', async (request, reply) => {
      if (this.shutdown.isShuttingDown && !ALWAYS_SERVED.test(request.url)) {
        const mapped = mapError(
          new ServiceUnavailableError('Server is shutting down', 'SHUTTING_DOWN'),
          String(request.id),
        );
        return reply.status(mapped.status).header('connection', 'close').send(mapped.body);
      }
      this.inFlight++;
      let finished = false;
      const done = () => {
        if (!finished) {
          finished = true;
          this.inFlight--;
        }
      };
      reply.raw.once('finish', done);
      reply.raw.once('close', done);
    });
  }
}
