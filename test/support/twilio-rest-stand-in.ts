import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RecordedCreate {
  accountSid: string;
  authorization: string | undefined;
  params: Record<string, string>;
}

/**
 * A stand-in for Twilio's REST API on loopback, speaking its wire format for what Switchboard uses:
 * `POST /2010-04-01/Accounts/{AccountSid}/Calls.json` (form-encoded, Basic auth) answered with a call resource,
 * and `POST .../Calls/{Sid}.json` updates. `failNext` scripts errors in Twilio's JSON error shape.
 */
export class TwilioRestStandIn {
  readonly creates: RecordedCreate[] = [];
  readonly updates: { sid: string; params: Record<string, string> }[] = [];
  readonly failNext: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(
    request: IncomingMessage,
    response: import('node:http').ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const json = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const failure = this.failNext.shift();
    if (failure) {
      return json(failure, {
        code: 20000 + failure,
        message: `stand-in failure ${failure}`,
        more_info: 'https://www.twilio.com/docs/errors',
        status: failure,
      });
    }
    const create = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls\.json$/.exec(
      request.url ?? '',
    );
    if (request.method === 'POST' && create) {
      this.creates.push({
        accountSid: create[1],
        authorization: request.headers.authorization,
        params,
      });
      const sid = `CA${randomBytes(16).toString('hex')}`;
      return json(201, {
        sid,
        account_sid: create[1],
        to: params.To,
        from: params.From,
        status: 'queued',
        direction: 'outbound-api',
        api_version: '2010-04-01',
        date_created: new Date().toUTCString(),
        uri: `/2010-04-01/Accounts/${create[1]}/Calls/${sid}.json`,
      });
    }
    const update = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(
      request.url ?? '',
    );
    if (request.method === 'POST' && update) {
      this.updates.push({ sid: update[2], params });
      return json(200, {
        sid: update[2],
        account_sid: update[1],
        status: params.Status ?? 'in-progress',
      });
    }
    json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
  }
}
