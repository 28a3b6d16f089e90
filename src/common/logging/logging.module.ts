import { Global, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdSerializers, type DestinationStream } from 'pino';
import { AppConfig } from '../../config/app-config';
import { RequestContext } from '../request-context/request-context';
import { redactLogArguments, redactLogFields, redactLogObject, redactText } from './log-redaction';
import { RequestLogHooks } from './request-log.hooks';
import { StdoutLogDestination } from './stdout-log-destination';

/** Where JSON log lines go. Stdout in production (StdoutLogDestination); tests swap in a stream they can read. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

@Global()
@Module({
  providers: [{ provide: LOG_DESTINATION, useClass: StdoutLogDestination }],
  exports: [LOG_DESTINATION],
})
class LogDestinationModule {}

@Module({
  imports: [
    LogDestinationModule,
    LoggerModule.forRootAsync({
      inject: [AppConfig, LOG_DESTINATION],
      useFactory: (config: AppConfig, destination: DestinationStream) => ({
        pinoHttp: [
          {
            level: config.logging.level,
            mixin: () => {
              const { requestId, callId, organizationId } = RequestContext.current() ?? {};
              return {
                ...(requestId && { requestId }),
                ...(callId && { callId }),
                ...(organizationId && { organizationId }),
              };
            },
            // Credentials and phone numbers are removed here (not with pino's `redact` paths, a second walk and
            // copy of every line).
            formatters: { log: redactLogFields },
            hooks: {
              logMethod(args: unknown[], method: (...a: unknown[]) => void) {
                method.apply(this, redactLogArguments(args));
              },
            },
            // Whatever is logged as `req` or `res` (a Fastify request or reply, a raw one, a plain object) is
            // written as these few fields: never headers, bodies or sockets.
            serializers: {
              req: (req: { id?: unknown; method?: unknown; url?: unknown }) => ({
                id: req.id,
                method: req.method,
                url: typeof req.url === 'string' ? redactText(req.url) : undefined,
              }),
              res: (res: { statusCode?: unknown }) => ({ statusCode: res.statusCode }),
              err: (err: unknown) =>
                redactLogObject(err instanceof Error ? stdSerializers.err(err) : err),
            },
            transport: config.logging.pretty
              ? {
                  target: 'pino-pretty',
                  options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' },
                }
              : undefined,
          },
          ...(config.logging.pretty ? [] : [destination]),
        ] as never,
        // No per-request middleware: the request's ids reach every line through RequestContext (entered by a
        // Fastify hook, see app.setup.ts) and the mixin above, and RequestLogHooks writes the request's line.
        // pino-http's middleware would add two child loggers and a second async context to every request.
        forRoutes: [],
      }),
    }),
  ],
  providers: [RequestLogHooks],
})
export class LoggingModule {}
