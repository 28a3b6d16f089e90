import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A SearXNG instance on loopback, in its JSON wire format (`GET /search?q=...&format=json` answers
 * `{ query, results: [{ title, url, content, engine }] }`). `hang` makes it never answer, for timeouts.
 */
export class SearxngStandIn {
  readonly queries: string[] = [];
  hang = false;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const query = url.searchParams.get('q') ?? '';
      this.queries.push(query);
      if (this.hang) return;
      if (url.pathname !== '/search' || url.searchParams.get('format') !== 'json') {
        response.writeHead(403).end('json format is disabled');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          query,
          number_of_results: 1,
          results: [
            {
              title: `About ${query}`,
              url: 'https://example.org/result',
              content: `The first result about ${query}.`,
              engine: 'stand-in',
            },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/search`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
