import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { CircuitOpenError, ExternalProviderError } from '../errors/domain-error';
import { openStream } from './open-stream';
import type { ProviderPolicy } from './provider-policy';
import { ResilienceFactory } from './resilience.factory';

/** A streaming provider on loopback: each request is answered by the handler the test sets. */
class StreamingProvider {
  handle: (response: ServerResponse) => void = (response) => response.end();
  requests = 0;
  /** Resolves when the server sees a request's connection closed (the client gave up on it). */
  closed: Promise<void> = Promise.resolve();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request: IncomingMessage, response: ServerResponse) => {
      this.requests++;
      this.closed = new Promise((resolve) => response.once('close', () => resolve()));
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      this.handle(response);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/stream`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let registry: Registry;

function factory(env: Record<string, string> = {}): ResilienceFactory {
  registry = new Registry();
  const labelled = { labelNames: ['provider', 'outcome'], registers: [registry], help: 'h' };
  return new ResilienceFactory(
    loadConfig({ RETRY_MAX_ATTEMPTS: '1', PROVIDER_STREAM_IDLE_TIMEOUT: '0.2', ...env }),
    new Gauge({ name: 'circuit', ...labelled }),
    new Counter({ name: 'switchboard_provider_calls_total', ...labelled }),
    new Histogram({ name: 'latency', ...labelled }),
    new Counter({ name: 'retries', ...labelled }),
  );
}

describe(openStream.name, () => {
  const provider = new StreamingProvider();
  beforeAll(() => provider.start());
  afterAll(() => provider.stop());

  const open = async (policy = factory().create('speech')) => {
    const sut = await openStream(policy, async (signal) => {
      const response = await fetch(provider.url, { signal });
      return response.body!;
    });
    return { sut, chunks: sut.read(sut.value) };
  };
  const readAll = async (policy: ProviderPolicy) => {
    const { chunks } = await open(policy);
    for await (const chunk of chunks) void chunk;
  };
  const stallsMidBody = (response: ServerResponse) => response.write('first');
  const finishes = (response: ServerResponse) => response.end('whole');

  it('cuts off a stream that stalls mid-body, as the provider failing, and closes its request', async () => {
    provider.handle = (response) => response.write('first'); // and then nothing, connection open
    const { chunks } = await open();

    const received: string[] = [];
    const reading = (async () => {
      for await (const chunk of chunks) received.push(Buffer.from(chunk).toString());
    })();

    await expect(reading).rejects.toThrow(ExternalProviderError);
    await expect(reading).rejects.toThrow('speech stream stalled');
    expect(received).toEqual(['first']);
    await provider.closed;
    // Counted apart from the start, which succeeded.
    expect(await registry.getSingleMetricAsString('switchboard_provider_calls_total')).toContain(
      'switchboard_provider_calls_total{provider="speech",outcome="stalled"} 1',
    );
  });

  it('does not count the reader’s own pauses between chunks as the provider stalling', async () => {
    provider.handle = (response) => {
      response.write('one');
      setTimeout(() => response.end('two'), 20);
    };
    const { chunks } = await open();

    const received: string[] = [];
    for await (const chunk of chunks) {
      received.push(Buffer.from(chunk).toString());
      await sleep(400); // twice the idle timeout, spent by the reader (speaking a sentence, say)
    }

    expect(received.join('')).toBe('onetwo');
  });

  it('closes the provider’s stream when the reader stops early', async () => {
    provider.handle = (response) => {
      const timer = setInterval(() => response.write('chunk'), 10);
      response.once('close', () => clearInterval(timer));
    };
    const { chunks } = await open();

    for await (const chunk of chunks) {
      expect(Buffer.from(chunk).toString()).toContain('chunk');
      break;
    }

    await provider.closed;
  });

  describe('streams that stall mid-body, with a circuit of threshold 2 held open 0.3 s', () => {
    let policy: ProviderPolicy;
    beforeEach(() => {
      policy = factory({
        CIRCUIT_BREAKER_THRESHOLD: '2',
        CIRCUIT_BREAKER_HALF_OPEN_AFTER: '0.3',
        PROVIDER_STREAM_IDLE_TIMEOUT: '0.1',
      }).create('speech');
    });

    it('open the circuit once as many in a row stall, and no request reaches the provider while it is', async () => {
      provider.handle = stallsMidBody;
      await expect(readAll(policy)).rejects.toThrow('speech stream stalled');
      expect(policy.state).toBe('closed');
      await expect(readAll(policy)).rejects.toThrow('speech stream stalled');
      expect(policy.state).toBe('open');
      expect(await registry.getSingleMetricAsString('circuit')).toContain(
        'circuit{provider="speech"} 1',
      );

      const requests = provider.requests;
      await expect(open(policy)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(provider.requests).toBe(requests);
    });

    it('let calls through after the open period, and open again at the first stall until one finishes', async () => {
      provider.handle = stallsMidBody;
      await expect(readAll(policy)).rejects.toThrow('stalled');
      await expect(readAll(policy)).rejects.toThrow('stalled');
      await sleep(350);
      expect(policy.state).toBe('closed');

      // On trial: one stall is enough.
      await expect(readAll(policy)).rejects.toThrow('stalled');
      expect(policy.state).toBe('open');
      await sleep(350);

      // A stream read to its end ends the trial: it takes two stalls in a row again.
      provider.handle = finishes;
      await readAll(policy);
      provider.handle = stallsMidBody;
      await expect(readAll(policy)).rejects.toThrow('stalled');
      expect(policy.state).toBe('closed');
    });

    it('do not open it when a finished stream comes between them', async () => {
      provider.handle = stallsMidBody;
      await expect(readAll(policy)).rejects.toThrow('stalled');
      provider.handle = finishes;
      await readAll(policy);
      provider.handle = stallsMidBody;
      await expect(readAll(policy)).rejects.toThrow('stalled');
      expect(policy.state).toBe('closed');
    });
  });
});
