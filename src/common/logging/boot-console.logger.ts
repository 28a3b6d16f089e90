import { ConsoleLogger } from '@nestjs/common';

/**
 * Nest's logger until the pino logger takes over. Nest's ExceptionHandler would print a boot failure with its
 * stack; main.ts prints those failures itself in one readable message, so this logger leaves them out.
 */
export class BootConsoleLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (rest.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...rest);
  }
}
