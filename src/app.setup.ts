import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoutedWsAdapter } from './common/websockets/routed-ws-adapter';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { RequestContext } from './common/request-context/request-context';
import { REQUEST_ID_HEADER, resolveRequestId } from './common/request-context/request-id';
import { AppConfig } from './config/app-config';

const BODY_LIMIT_BYTES = 1024 * 1024;

/** The Fastify adapter every Switchboard instance (and every e2e test) runs on. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  const adapter = new FastifyAdapter({
    genReqId: resolveRequestId,
    // Proxies (ingress, load balancers) terminate TLS in front of us; trust only their forwarding headers.
    trustProxy: config.server.trustProxy,
    bodyLimit: BODY_LIMIT_BYTES,
    logger: false,
  });
  // The request's async context, in the first of our hooks (only the adapter's own run before it): every log
  // line and service of the request reads its ids from it (the hook's continuation runs the rest of the
  // request, and Fastify binds body parsing to it, so the context holds to the handler and its filters).
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    RequestContext.run({ requestId: request.id }, done);
  });
  return adapter;
}

/** Application-level wiring shared by `main.ts` and the e2e tests, so tests run what production runs. */
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  // Gateways handle their sockets' messages themselves (Twilio's protocol is not Nest's {event, data}).
  app.useWebSocketAdapter(new RoutedWsAdapter(app, { messageParser: () => undefined }));

  if (config.features.swagger) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Switchboard')
        .setDescription('Self-hostable voice-AI agent backend')
        .setVersion('v1')
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }
}
