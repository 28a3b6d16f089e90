import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { CircuitOpenError, ExternalProviderError } from '../errors/domain-error';
import { CallerAbortedError } from './provider-policy';
import { ResilienceFactory } from './resilience.factory';

type Behaviour = number | 'hang';

/** A provider stand-in that answers each request with the next scripted status (or never answers). */
class FlakyProvider {
  readonly script: Behaviour[] = [];
  hits = 0;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      this.hits++;
      const next = this.script.shift() ?? 200;
      if (next === 'hang') return; // the client's timeout must fire
      response.writeHead(next, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: next < 400 }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/thing`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** What an adapter does: call over HTTP, surface the status on failure. */
async function callProvider(url: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, { signal });
  if (!response.ok) {
    throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  }
  return response.json();
}

describe(ResilienceFactory.name, () => {
  const provider = new FlakyProvider();
  let registry: Registry;
  let sut: ResilienceFactory;

  beforeAll(() => provider.start());
  afterAll(() => provider.stop());

  beforeEach(() => {
    provider.script.length = 0;
    provider.hits = 0;
    registry = new Registry();
    const config = loadConfig({
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_BACKOFF_INITIAL: '0.01',
      RETRY_BACKOFF_MAX: '0.05',
      PROVIDER_TIMEOUT: '0.2',
      CIRCUIT_BREAKER_THRESHOLD: '3',
      CIRCUIT_BREAKER_HALF_OPEN_AFTER: '0.3',
    });
    sut = new ResilienceFactory(
      config,
      new Gauge({
        name: 'switchboard_circuit_state',
        help: 'h',
        labelNames: ['provider'],
        registers: [registry],
      }),
      new Counter({
        name: 'switchboard_provider_calls_total',
        help: 'h',
        labelNames: ['provider', 'outcome'],
        registers: [registry],
      }),
      new Histogram({
        name: 'switchboard_provider_latency_seconds',
        help: 'h',
        labelNames: ['provider'],
        registers: [registry],
      }),
      new Counter({
        name: 'switchboard_provider_retries_total',
        help: 'h',
        labelNames: ['provider'],
        registers: [registry],
      }),
    );
  });

  const metric = async (name: string) =>
    (await registry.getSingleMetricAsString(name))
      .split('\n')
      .filter((line) => !line.startsWith('#'));

  it('retries 5xx and 429 answers and returns the eventual success', async () => {
    provider.script.push(503, 429);
    const policy = sut.create('openai');

    await expect(
      policy.execute(({ signal }) => callProvider(provider.url, signal)),
    ).resolves.toEqual({ ok: true });
    expect(provider.hits).toBe(3);
    expect(await metric('switchboard_provider_retries_total')).toContain(
      'switchboard_provider_retries_total{provider="openai"} 2',
    );
  });

  it('never retries other 4xx answers', async () => {
    provider.script.push(400);
    const policy = sut.create('openai');

    const error = await policy
      .execute(({ signal }) => callProvider(provider.url, signal))
      .catch((e) => e);

    expect(error).toBeInstanceOf(ExternalProviderError);
    expect((error as ExternalProviderError).status).toBe(400);
    expect(provider.hits).toBe(1);
  });

  it('gives up after the configured attempts and reports the provider failure', async () => {
    provider.script.push(500, 502, 503, 200);
    const policy = sut.create('twilio');

    const error = await policy
      .execute(({ signal }) => callProvider(provider.url, signal))
      .catch((e) => e);

    expect(error).toBeInstanceOf(ExternalProviderError);
    expect((error as ExternalProviderError).status).toBe(503);
    expect(provider.hits).toBe(3);
    expect(await metric('switchboard_provider_calls_total')).toContain(
      'switchboard_provider_calls_total{provider="twilio",outcome="failure"} 1',
    );
  });

  it('times out a hanging attempt, aborts it, and retries', async () => {
    provider.script.push('hang');
    const policy = sut.create('deepgram');
    let firstSignal: AbortSignal | undefined;

    const result = await policy.execute(({ signal, attempt }) => {
      if (attempt === 0) firstSignal = signal;
      return callProvider(provider.url, signal);
    });

    expect(result).toEqual({ ok: true });
    expect(firstSignal?.aborted).toBe(true);
    expect(provider.hits).toBe(2);
  });

  it('does not retry or count our own programming errors as provider failures', async () => {
    const policy = sut.create('cartesia');
    let calls = 0;

    const error = await policy
      .execute(() => {
        calls++;
        return Promise.reject(new TypeError('undefined is not a function'));
      })
      .catch((e) => e);

    expect(error).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(policy.state).toBe('closed');
  });

  it('opens the circuit after consecutive failures, fails fast, then half-opens and closes on success', async () => {
    const policy = sut.create('stripe', { maxAttempts: 1 });
    provider.script.push(500, 500, 500);

    for (let i = 0; i < 3; i++) {
      await policy
        .execute(({ signal }) => callProvider(provider.url, signal))
        .catch(() => undefined);
    }
    expect(policy.state).toBe('open');
    expect(await metric('switchboard_circuit_state')).toContain(
      'switchboard_circuit_state{provider="stripe"} 1',
    );

    const hitsWhileOpen = provider.hits;
    await expect(
      policy.execute(({ signal }) => callProvider(provider.url, signal)),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(provider.hits).toBe(hitsWhileOpen);

    await new Promise((resolve) => setTimeout(resolve, 350));
    await expect(
      policy.execute(({ signal }) => callProvider(provider.url, signal)),
    ).resolves.toEqual({ ok: true });
    expect(policy.state).toBe('closed');
    expect(await metric('switchboard_circuit_state')).toContain(
      'switchboard_circuit_state{provider="stripe"} 0',
    );
    expect(sut.circuitStates()).toEqual({ stripe: 'closed' });
  });

  it('never retries or counts against the circuit a call the caller cancelled (a barge-in)', async () => {
    const policy = sut.create('llm', { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      provider.script.push('hang');
      const caller = new AbortController();
      const call = policy.execute(({ signal }) => callProvider(provider.url, signal), {
        signal: caller.signal,
      });
      setTimeout(() => caller.abort(), 20);
      await expect(call).rejects.toBeInstanceOf(CallerAbortedError);
    }
    expect(provider.hits).toBe(5); // one attempt each, no retries
    expect(policy.state).toBe('closed');
    expect(await metric('switchboard_provider_calls_total')).toContain(
      'switchboard_provider_calls_total{provider="llm",outcome="cancelled"} 5',
    );
  });

  it('answers from the fallback when the provider cannot', async () => {
    provider.script.push(503, 503, 503);
    const policy = sut.create('tts');

    const result = await policy.execute(({ signal }) => callProvider(provider.url, signal), {
      fallback: (error) => `fallback after ${error.name}`,
    });

    expect(result).toBe('fallback after ExternalProviderError');
    expect(await metric('switchboard_provider_calls_total')).toContain(
      'switchboard_provider_calls_total{provider="tts",outcome="fallback"} 1',
    );
  });

  it('returns one policy (and so one circuit) per provider name', () => {
    expect(sut.create('openai')).toBe(sut.create('openai'));
  });
});
