import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  decorrelatedJitterGenerator,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  SamplingBreaker,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { ProviderFallback, ProviderPolicy, ProviderPolicyObserver } from './provider-policy';
import {
  CIRCUIT_STATE_METRIC,
  PROVIDER_CALLS_METRIC,
  PROVIDER_LATENCY_METRIC,
  PROVIDER_RETRIES_METRIC,
} from './resilience.metrics';
import { isRetryableError } from './retryable-error';

export type BreakerOptions =
  | { kind: 'consecutive'; threshold: number }
  /** Opens when more than `threshold` (0..1) of calls failed over `durationMs`, given `minimumRps`. */
  | { kind: 'sampling'; threshold: number; durationMs: number; minimumRps?: number };

export interface ProviderPolicyOptions {
  timeoutMs?: number;
  /** A started stream's longest pause between chunks (default PROVIDER_STREAM_IDLE_TIMEOUT). */
  streamIdleTimeoutMs?: number;
  /** Total attempts, the first included. */
  maxAttempts?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  breaker?: BreakerOptions;
  halfOpenAfterMs?: number;
  bulkhead?: { limit: number; queue?: number };
  fallback?: ProviderFallback<unknown>;
  /**
   * Narrows which failures are retried (and count against the circuit), e.g. for a non-idempotent request
   * where only a 429 or a refused connection prove the provider did nothing.
   */
  retryable?: (error: unknown) => boolean;
}

const STATE_VALUE = { closed: 0, open: 1, half_open: 2 } as const;

/**
 * Builds the one Cockatiel policy each external provider's calls go through. Defaults come from the
 * `RETRY_*`, `PROVIDER_TIMEOUT` and `CIRCUIT_BREAKER_*` variables; adapters override what their provider needs.
 * One policy (and so one circuit) per provider name per process.
 */
@Injectable()
export class ResilienceFactory implements ProviderPolicyObserver {
  private readonly logger = new Logger('Resilience');
  private readonly policies = new Map<string, ProviderPolicy>();

  constructor(
    private readonly config: AppConfig,
    @InjectMetric(CIRCUIT_STATE_METRIC) private readonly circuitState: Gauge<string>,
    @InjectMetric(PROVIDER_CALLS_METRIC) private readonly calls: Counter<string>,
    @InjectMetric(PROVIDER_LATENCY_METRIC) private readonly latency: Histogram<string>,
    @InjectMetric(PROVIDER_RETRIES_METRIC) private readonly retries: Counter<string>,
  ) {}

  create(name: string, options: ProviderPolicyOptions = {}): ProviderPolicy {
    const existing = this.policies.get(name);
    if (existing) return existing;

    const defaults = this.config.resilience;
    const retryable = handleWhen(options.retryable ?? isRetryableError);
    const retryPolicy = retry(retryable, {
      maxAttempts: Math.max(0, (options.maxAttempts ?? defaults.maxAttempts) - 1),
      backoff: new ExponentialBackoff({
        initialDelay: options.backoffInitialMs ?? defaults.backoffInitialMs,
        maxDelay: options.backoffMaxMs ?? defaults.backoffMaxMs,
        generator: decorrelatedJitterGenerator,
      }),
    });
    const breakerOptions = options.breaker ?? {
      kind: 'consecutive',
      threshold: defaults.breakerThreshold,
    };
    const breaker = circuitBreaker(retryable, {
      halfOpenAfter: options.halfOpenAfterMs ?? defaults.halfOpenAfterMs,
      breaker:
        breakerOptions.kind === 'consecutive'
          ? new ConsecutiveBreaker(breakerOptions.threshold)
          : new SamplingBreaker({
              threshold: breakerOptions.threshold,
              duration: breakerOptions.durationMs,
              minimumRps: breakerOptions.minimumRps,
            }),
    });
    // abortOnReturn off: an attempt that settled has nothing left to cancel (streams hold their own
    // controllers, see openStream), and aborting each one built an AbortError with a stack and ran the SDK's
    // abort listeners on every provider request of every voice turn.
    const perAttemptTimeout = timeout(options.timeoutMs ?? defaults.timeoutMs, {
      strategy: TimeoutStrategy.Aggressive,
      abortOnReturn: false,
    });
    const layers: IPolicy[] = [retryPolicy, breaker, perAttemptTimeout];
    if (options.bulkhead)
      layers.unshift(bulkhead(options.bulkhead.limit, options.bulkhead.queue ?? 0));

    const policy = new ProviderPolicy(name, wrap(...layers), breaker, this, {
      streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? defaults.streamIdleTimeoutMs,
      // A sampling breaker's threshold is a rate: stalls in a row are then counted against the default count.
      stallThreshold:
        breakerOptions.kind === 'consecutive'
          ? breakerOptions.threshold
          : defaults.breakerThreshold,
      stallOpenMs: options.halfOpenAfterMs ?? defaults.halfOpenAfterMs,
      fallback: options.fallback,
    });
    this.circuitState.set({ provider: name }, 0);
    breaker.onStateChange((raw) => {
      const state = policy.state;
      this.circuitState.set({ provider: name }, STATE_VALUE[state]);
      // Held open by stalled streams: onStallsOpenedCircuit says so, and why.
      if (raw === CircuitState.Isolated) return;
      const message = `Circuit for ${name} is now ${state}`;
      if (state === 'open') this.logger.warn(message);
      else this.logger.log(message);
    });
    retryPolicy.onRetry(() => this.retries.inc({ provider: name }));
    this.policies.set(name, policy);
    return policy;
  }

  /** Circuit state of every provider policy created so far (for /health/detailed). */
  circuitStates(): Record<string, ProviderPolicy['state']> {
    return Object.fromEntries([...this.policies].map(([name, policy]) => [name, policy.state]));
  }

  onStallsOpenedCircuit(provider: string, stalledInARow: number): void {
    this.logger.warn(
      `Circuit for ${provider} is now open: ${stalledInARow} of its streams in a row stalled mid-body`,
    );
  }

  onCall(provider: string, outcome: string, seconds: number): void {
    this.calls.inc({ provider, outcome });
    this.latency.observe({ provider }, seconds);
  }
}
