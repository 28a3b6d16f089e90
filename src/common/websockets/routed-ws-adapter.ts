import type { MessageMappingProperties } from '@nestjs/websockets';
import { WsAdapter } from '@nestjs/platform-ws';
import type { Observable } from 'rxjs';
import * as http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The parameters of `pathname` if it matches `pattern` (`/api/v1/agents/:id/chat/stream`), else undefined.
 * Parameters match one path segment each.
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = pathname.replace(/\/+$/, '').split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    if (expected[i].startsWith(':')) {
      if (!actual[i]) return undefined;
      params[expected[i].slice(1)] = decodeURIComponent(actual[i]);
    } else if (expected[i] !== actual[i]) {
      return undefined;
    }
  }
  return params;
}

/**
 * Nest's `ws` adapter, with gateway paths that may hold `:parameters` (Nest's own matches paths exactly), and a
 * plain 404 answer for an upgrade to no gateway instead of a dropped connection.
 */
export class RoutedWsAdapter extends WsAdapter {
  override bindMessageHandlers(
    client: unknown,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    // Gateways without @SubscribeMessage handlers read their sockets themselves (Twilio's media protocol is not
    // Nest's): Nest's per-message stream would only add its cost to every one of 50 frames a second per call.
    if (handlers.length === 0) return;
    super.bindMessageHandlers(client, handlers, transform);
  }

  protected override ensureHttpServerExists(port: number, httpServer = http.createServer()) {
    if (this.httpServersRegistry.has(port)) return;
    this.httpServersRegistry.set(port, httpServer);
    httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      try {
        const pathname = new URL(request.url ?? '/', 'ws://localhost').pathname;
        const servers = (this.wsServersRegistry.get(port) ?? []) as {
          path: string;
          handleUpgrade: (...args: unknown[]) => void;
          emit: (...args: unknown[]) => void;
        }[];
        const server = servers.find((candidate) => matchPath(candidate.path, pathname));
        if (!server) {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        server.handleUpgrade(request, socket, head, (client: unknown) =>
          server.emit('connection', client, request),
        );
      } catch (error) {
        socket.end(
          `HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n${(error as Error).message}`,
        );
      }
    });
    return httpServer;
  }
}
