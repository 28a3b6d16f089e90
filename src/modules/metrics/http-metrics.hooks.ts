import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { HTTP_DURATION_METRIC, HTTP_IN_FLIGHT_METRIC, HTTP_REQUESTS_METRIC } from './http-metrics';

/** Route template (`/api/v1/calls/:id`), never the raw URL, so label cardinality stays bounded. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

/** Records every HTTP request at the Fastify level, so 404s and body-parse failures are counted too. */
@Injectable()
export class HttpMetricsHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectMetric(HTTP_REQUESTS_METRIC) private readonly requests: Counter<string>,
    @InjectMetric(HTTP_DURATION_METRIC) private readonly duration: Histogram<string>,
    @InjectMetric(HTTP_IN_FLIGHT_METRIC) private readonly inFlight: Gauge<string>,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onRequest', (request, _reply, done) => {
      this.inFlight.inc({ method: request.method, route: routeOf(request) });
      done();
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = routeOf(request);
      const labels = { method: request.method, route, status: String(reply.statusCode) };
      this.inFlight.dec({ method: request.method, route });
      this.requests.inc(labels);
      this.duration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
}
