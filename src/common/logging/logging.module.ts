import { Global, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfig } from '../../config/app-config';
import { RequestContext } from '../request-context/request-context';
import { resolveRequestId } from '../request-context/request-id';
import { redactLogFields, redactLogObject } from './log-redaction';
import { maskPhoneNumbers } from './mask-phone-numbers';
import { StdoutLogDestination } from './stdout-log-destination';

/** Where JSON log lines go. Stdout in production (StdoutLogDestination); tests swap in a stream they can read. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

// Probes and scrapes, and provider webhooks whose handlers log what happened (a call arrived, moved on):
// a line per request there would only double the volume. Failures are logged whatever the route.
const QUIET_ROUTES = new Set([
  '/health/live',
  '/health/ready',
  '/metrics',
  '/telephony/twilio/voice',
  '/telephony/twilio/status',
  '/telephony/twilio/queue-wait',
]);

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
            genReqId: (req: IncomingMessage) =>
              (req as IncomingMessage & { id?: string }).id ?? resolveRequestId(req),
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            mixin: () => {
              const { callId, organizationId } = RequestContext.current() ?? {};
              return { ...(callId && { callId }), ...(organizationId && { organizationId }) };
            },
            // Credentials and phone numbers are removed here and in the serializers below (not with pino's
            // `redact` paths, a second walk and copy of every line).
            formatters: { log: redactLogFields },
            hooks: {
              logMethod(args: unknown[], method: (...a: unknown[]) => void) {
                method.apply(
                  this,
                  args.map((arg) => (typeof arg === 'string' ? maskPhoneNumbers(arg) : arg)),
                );
              },
            },
            // pino-http hands these the standard serializers' output; headers and bodies are never logged.
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: maskPhoneNumbers(req.url),
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              err: (err: Record<string, unknown>) => redactLogObject(err),
            },
            customLogLevel: (req: IncomingMessage, res: ServerResponse, error?: Error) => {
              if (error || res.statusCode >= 500) return 'error';
              if (res.statusCode >= 400) return 'warn';
              return QUIET_ROUTES.has((req.url ?? '').split('?')[0]) ? 'debug' : 'info';
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
      }),
    }),
  ],
})
export class LoggingModule {}
