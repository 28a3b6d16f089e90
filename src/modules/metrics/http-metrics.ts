import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';

export const HTTP_REQUESTS_METRIC = 'switchboard_http_requests_total';
export const HTTP_DURATION_METRIC = 'switchboard_http_request_duration_seconds';
export const HTTP_IN_FLIGHT_METRIC = 'switchboard_http_requests_in_flight';

export const httpMetricProviders = [
  makeCounterProvider({
    name: HTTP_REQUESTS_METRIC,
    help: 'HTTP requests by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
  }),
  makeHistogramProvider({
    name: HTTP_DURATION_METRIC,
    help: 'HTTP request duration in seconds by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
  makeGaugeProvider({
    name: HTTP_IN_FLIGHT_METRIC,
    help: 'HTTP requests being served, by method and route template.',
    labelNames: ['method', 'route'],
  }),
];
