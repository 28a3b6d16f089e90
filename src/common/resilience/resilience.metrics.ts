import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';

export const CIRCUIT_STATE_METRIC = 'switchboard_circuit_state';
export const PROVIDER_CALLS_METRIC = 'switchboard_provider_calls_total';
export const PROVIDER_LATENCY_METRIC = 'switchboard_provider_latency_seconds';
export const PROVIDER_RETRIES_METRIC = 'switchboard_provider_retries_total';

export const resilienceMetricProviders = [
  makeGaugeProvider({
    name: CIRCUIT_STATE_METRIC,
    help: 'Circuit breaker state per external provider: 0 closed, 1 open (failed starts, or streams stalling mid-body), 2 half-open.',
    labelNames: ['provider'],
  }),
  makeCounterProvider({
    name: PROVIDER_CALLS_METRIC,
    help: 'Calls to external providers by outcome (success, failure, timeout, circuit_open, rejected, fallback, cancelled: the caller gave up, stalled: a started stream went silent).',
    labelNames: ['provider', 'outcome'],
  }),
  makeHistogramProvider({
    name: PROVIDER_LATENCY_METRIC,
    help: 'Latency of external provider calls including retries, in seconds.',
    labelNames: ['provider'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  }),
  makeCounterProvider({
    name: PROVIDER_RETRIES_METRIC,
    help: 'Retries of external provider calls after a retryable failure.',
    labelNames: ['provider'],
  }),
];
