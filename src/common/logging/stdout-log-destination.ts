import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { destination, type DestinationStream } from 'pino';

/**
 * Stdout for log lines, written off the event loop. Node writes to a piped or redirected stdout synchronously,
 * a system call per line on the thread that also carries every call's audio; pino's asynchronous destination
 * batches the lines that arrive while a write is in flight.
 *
 * Nest ends a SIGTERM shutdown by re-raising the signal, so no exit handler would flush what is buffered: once
 * the drain is over, the buffer is written out and the last lines (closing pools, stopping jobs) go straight
 * to stdout.
 */
@Injectable()
export class StdoutLogDestination implements DestinationStream, OnApplicationShutdown {
  private readonly buffered = destination({ dest: 1, sync: false });
  private closing = false;

  write(line: string): void {
    if (this.closing) process.stdout.write(line);
    else this.buffered.write(line);
  }

  onApplicationShutdown(): void {
    this.closing = true;
    this.buffered.flushSync();
  }
}
