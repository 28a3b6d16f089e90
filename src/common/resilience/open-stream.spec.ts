import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { loadConfig } from '../../config/app-config';
import { ExternalProviderError } from '../errors/domain-error';
import { openStream } from './open-stream';
import { ResilienceFactory } from './resilience.factory';

/** A streaming provider on loopback: each request is answered by the handler the test sets. */
class StreamingProvider {
  handle: (response: ServerResponse) => void = (response) => response.end();
  /** Resolves when the server sees a request's connection closed (the client gave up on it). */
  closed: Promise<void> = Promise.resolve();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_request: IncomingMessage, response: ServerResponse) => {
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

function factory(): ResilienceFactory {
  registry = new Registry();
  const labelled = { labelNames: ['provider', 'outcome'], registers: [registry], help: 'h' };
  return new ResilienceFactory(
    loadConfig({ RETRY_MAX_ATTEMPTS: '1', PROVIDER_STREAM_IDLE_TIMEOUT: '0.2' }),
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

  const open = async () => {
    const sut = await openStream(factory().create('speech'), async (signal) => {
      const response = await fetch(provider.url, { signal });
      return response.body!;
    });
    return { sut, chunks: sut.read(sut.value) };
  };

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
});
