import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext } from './request-context';

/** Opens the async context every log line and service of this request can read its ids from. */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(
    request: IncomingMessage & { id?: string },
    _response: ServerResponse,
    next: () => void,
  ): void {
    RequestContext.run({ requestId: request.id }, next);
  }
}
