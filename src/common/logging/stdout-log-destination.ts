import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { destination, type DestinationStream } from 'pino';

/** Lines are written in batches of about this many bytes... */
const BATCH_BYTES = 4096;
/** ...or after at most this long, so a quiet instance's lines still reach the log collector promptly. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * Stdout for log lines, written off the event loop and in batches. Node writes to a piped or redirected stdout
 * synchronously, a system call per line on the thread that also carries every call's audio; pino's
 * asynchronous destination writes a batch at a time instead (a busy webhook route logs a line per request).
 *
 * Nothing buffered is lost on the ways a process ends: Nest ends a SIGTERM shutdown by re-raising the signal,
 * so no exit handler would run then: once the drain is over the buffer is written out and the last lines
 * (closing pools, stopping jobs) go straight to stdout; `process.exit()` and a fatal exception run the exit
 * handler, which writes the buffer synchronously. Only a SIGKILL can lose the last second.
 */
@Injectable()
export class StdoutLogDestination implements DestinationStream, OnApplicationShutdown {
  private readonly buffered = destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  private closing = false;
  private unflushed = false;
  private readonly flusher = setInterval(() => {
    if (!this.unflushed) return;
    this.unflushed = false;
    this.buffered.flush();
  }, FLUSH_INTERVAL_MS).unref();
  private readonly onExit = () => this.writeOut();

  constructor() {
    process.once('exit', this.onExit);
  }

  write(line: string): void {
    if (this.closing) {
      process.stdout.write(line);
      return;
    }
    this.buffered.write(line);
    this.unflushed = true;
  }

  onApplicationShutdown(): void {
    process.removeListener('exit', this.onExit);
    this.writeOut();
  }

  private writeOut(): void {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.flusher);
    this.buffered.flushSync();
  }
}
