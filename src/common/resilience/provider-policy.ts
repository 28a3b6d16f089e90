import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitBreakerPolicy,
  CircuitState,
  IPolicy,
  TaskCancelledError,
} from 'cockatiel';
import { CircuitOpenError, ExternalProviderError } from '../errors/domain-error';
import { providerStatusOf } from './retryable-error';

export type ProviderCallOutcome =
  | 'success'
  | 'failure'
  | 'timeout'
  | 'circuit_open'
  | 'rejected'
  | 'fallback'
  | 'cancelled'
  | 'stalled';

/**
 * The caller gave up (a barge-in, a hang-up): not the provider's failure, so never retried and never counted
 * against its circuit.
 */
export class CallerAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('The caller cancelled the request');
  }
}

export interface ProviderPolicyObserver {
  onCall(provider: string, outcome: ProviderCallOutcome, seconds: number): void;
  onStallsOpenedCircuit?(provider: string, stalledInARow: number): void;
}

export interface ProviderCallContext {
  signal: AbortSignal;
  /** 0 for the first attempt. */
  attempt: number;
}

export type ProviderFallback<T> = (error: Error) => T | Promise<T>;

export interface ProviderPolicySettings {
  /** How long a started stream (see openStream) may go without a chunk before it counts as failed. */
  streamIdleTimeoutMs: number;
  /** Streams stalled in a row (none finishing in between) that open the circuit. */
  stallThreshold: number;
  /** How long a circuit opened by stalls stays open before calls go through again. */
  stallOpenMs: number;
  fallback?: ProviderFallback<unknown>;
}

const STATE_NAMES: Record<CircuitState, 'closed' | 'open' | 'half_open'> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  // Only ever held open by stalled streams (see noteStalled): open, to whoever watches the circuit.
  [CircuitState.Isolated]: 'open',
};

/**
 * One external provider's policy (timeout per attempt, retry, circuit breaker, optional bulkhead and fallback).
 * Failures leave as domain errors: {@link CircuitOpenError} when the circuit is open, otherwise
 * {@link ExternalProviderError} carrying the provider's status; our own programming errors pass through as is.
 */
export class ProviderPolicy {
  /** Started streams that stalled since the last one finished. */
  private stalledInARow = 0;
  /** Released from a stall-opened circuit and not yet seen a stream finish: one more stall opens it again. */
  private onTrial = false;

  constructor(
    readonly name: string,
    private readonly policy: IPolicy,
    private readonly breaker: CircuitBreakerPolicy,
    private readonly observer: ProviderPolicyObserver,
    private readonly settings: ProviderPolicySettings,
  ) {}

  get streamIdleTimeoutMs(): number {
    return this.settings.streamIdleTimeoutMs;
  }

  /**
   * A stream that had started (counted as a success then) stalled mid-body. A provider that accepts requests
   * and then sends nothing keeps its breaker closed, every start succeeding; so stalls are counted here, and
   * enough of them in a row hold the circuit open, sending callers to the fallback (the next speech provider,
   * the local agent) at once instead of after each stream's idle timeout.
   */
  noteStalled(seconds: number): void {
    this.observer.onCall(this.name, 'stalled', seconds);
    this.stalledInARow++;
    // Already held open by stalls (isolated: nothing else isolates it), or open for failed starts, whose
    // timing stands.
    const state = this.breaker.state;
    if (state === CircuitState.Isolated || state === CircuitState.Open) return;
    if (this.onTrial || this.stalledInARow >= this.settings.stallThreshold) this.holdOpen();
  }

  /** A started stream was read to its end: the provider is streaming again. */
  noteStreamFinished(): void {
    this.stalledInARow = 0;
    this.onTrial = false;
  }

  private holdOpen(): void {
    const handle = this.breaker.isolate();
    this.observer.onStallsOpenedCircuit?.(this.name, this.stalledInARow);
    setTimeout(() => {
      this.stalledInARow = 0;
      this.onTrial = true;
      handle.dispose();
    }, this.settings.stallOpenMs).unref();
  }

  get state(): 'closed' | 'open' | 'half_open' {
    return STATE_NAMES[this.breaker.state];
  }

  async execute<T>(
    fn: (context: ProviderCallContext) => Promise<T>,
    options: { signal?: AbortSignal; fallback?: ProviderFallback<T> } = {},
  ): Promise<T> {
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    try {
      const result = await this.policy.execute(
        // The caller's signal is not given to cockatiel: its timeout layer would report the caller's own
        // cancellation as a timeout, which the circuit counts. It reaches the provider call directly instead.
        (context) =>
          withCallerSignal(
            (signal) => fn({ signal, attempt: (context as { attempt?: number }).attempt ?? 0 }),
            context.signal,
            options.signal,
          ),
      );
      this.observer.onCall(this.name, 'success', elapsed());
      return result;
    } catch (raw) {
      if (options.signal?.aborted) {
        this.observer.onCall(this.name, 'cancelled', elapsed());
        throw raw instanceof CallerAbortedError ? raw : new CallerAbortedError();
      }
      const error = this.translate(raw);
      const fallback =
        options.fallback ?? (this.settings.fallback as ProviderFallback<T> | undefined);
      if (
        fallback &&
        (error instanceof ExternalProviderError || error instanceof CircuitOpenError)
      ) {
        this.observer.onCall(this.name, 'fallback', elapsed());
        return fallback(error);
      }
      this.observer.onCall(this.name, outcomeOf(raw), elapsed());
      throw error;
    }
  }

  private translate(error: unknown): Error {
    if (error instanceof BrokenCircuitError) return new CircuitOpenError(this.name);
    if (error instanceof CircuitOpenError || error instanceof ExternalProviderError) return error;
    if (error instanceof TaskCancelledError) {
      return new ExternalProviderError(this.name, `${this.name} timed out`, undefined, {
        cause: error,
      });
    }
    if (error instanceof BulkheadRejectedError) {
      return new ExternalProviderError(this.name, `${this.name} is at its concurrency limit`, 503, {
        cause: error,
      });
    }
    const status = providerStatusOf(error);
    const isNetwork = typeof (error as { code?: unknown } | null)?.code === 'string';
    if (status !== undefined || isNetwork || isSdkConnectionError(error)) {
      const detail = error instanceof Error ? error.message : String(error);
      return new ExternalProviderError(this.name, `${this.name} failed: ${detail}`, status, {
        cause: error,
      });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

function isSdkConnectionError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'APIConnectionError' || name === 'APIConnectionTimeoutError';
}

function outcomeOf(error: unknown): ProviderCallOutcome {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof BulkheadRejectedError) return 'rejected';
  return 'failure';
}

/**
 * Runs `fn` with a signal that aborts on the attempt's timeout or the caller's cancellation; the caller's
 * cancellation rejects at once with {@link CallerAbortedError}, whatever `fn` does with its signal.
 */
function withCallerSignal<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  attemptSignal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): Promise<T> {
  if (!callerSignal) return fn(attemptSignal);
  if (callerSignal.aborted) return Promise.reject(new CallerAbortedError());
  let onAbort: () => void = () => undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CallerAbortedError());
    callerSignal.addEventListener('abort', onAbort, { once: true });
  });
  const work = fn(AbortSignal.any([attemptSignal, callerSignal]));
  // Once cancelled, whatever `work` still does is of no interest (its late rejection included).
  work.catch(() => undefined);
  return Promise.race([work, cancelled]).finally(() =>
    callerSignal.removeEventListener('abort', onAbort),
  );
}
