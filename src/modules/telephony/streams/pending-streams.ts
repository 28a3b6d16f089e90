import { Injectable } from '@nestjs/common';

/**
 * Twilio opens a call's media stream a moment after our TwiML answer asked for it; one that has not come within
 * this long is not coming (the caller hung up, or it went to another instance).
 */
export const STREAM_ARRIVAL_WINDOW_MS = 10_000;

/**
 * Media streams this instance has asked for (a `<Stream>` answer) that have not attached yet. The shutdown
 * drain waits for them, within its deadline: a call answered just before SIGTERM still gets its agent instead
 * of being cancelled as "admitted without a stream".
 */
@Injectable()
export class PendingStreams {
  // By answer time, oldest first (a Map keeps insertion order): expired entries are pruned from the front.
  private readonly expected = new Map<string, number>();

  expect(callId: string, now = Date.now()): void {
    this.expected.delete(callId); // a retried webhook: its answer is the newest
    this.expected.set(callId, now);
    this.prune(now);
  }

  attached(callId: string): void {
    this.expected.delete(callId);
  }

  /** Stops expecting every stream whose call is not in `callIds` (it attached elsewhere, or the call ended). */
  retainOnly(callIds: ReadonlySet<string>): void {
    for (const callId of this.expected.keys()) {
      if (!callIds.has(callId)) this.expected.delete(callId);
    }
  }

  /** Streams still expected now. */
  count(now = Date.now()): number {
    this.prune(now);
    return this.expected.size;
  }

  private prune(now: number): void {
    for (const [callId, answeredAt] of this.expected) {
      if (now - answeredAt < STREAM_ARRIVAL_WINDOW_MS) return;
      this.expected.delete(callId);
    }
  }
}
