import './instrument';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { BootError } from './common/errors/boot-error';
import { BootConsoleLogger } from './common/logging/boot-console.logger';
import { loadConfig } from './config/app-config';
import { ConfigValidationError } from './config/config-validation.error';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    createFastifyAdapter(config),
    // abortOnError: false lets boot failures reach the handler below instead of Nest's own stack dump.
    { bufferLogs: true, abortOnError: false, logger: new BootConsoleLogger() },
  );
  configureApp(app, config);
  // SIGTERM/SIGINT run the drain (ShutdownService) before connections close. Only those: Nest would also stop on
  // SIGUSR2 and others, which operators use for diagnostics (`node --heapsnapshot-signal=SIGUSR2`).
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.server.port, config.server.host);
}

// One failed background write must not take every live call on this instance down with it.
process.on('unhandledRejection', (reason) => {
  const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  new Logger('Process').error(`Unhandled rejection: ${detail}`);
});

bootstrap().catch((error: unknown) => {
  // Known boot failures already say what to do; a stack trace would only bury that.
  if (error instanceof ConfigValidationError || error instanceof BootError) {
    process.stderr.write(`\nSwitchboard could not start.\n${error.message}\n\n`);
  } else {
    process.stderr.write(
      `\nSwitchboard could not start: ${String((error as Error)?.stack ?? error)}\n`,
    );
  }
  process.exit(1);
});
