export interface QueuedCall {
  callId: string;
  priority: number;
  enqueuedAt: number;
}

/**
 * Callers waiting for capacity, served by priority (higher first) then arrival. Redis sorted set when
 * REDIS_URL is set (shared by instances), an in-process ordered list otherwise. Each entry also keeps when its
 * caller last asked (enqueued or checked in from the hold loop): a caller who is gone without a status
 * callback stops asking, and `removeUnseenSince` takes their place back.
 */
export abstract class CallQueue {
  /** Whether other instances serve this queue's callers too (their polls reach any instance). */
  abstract readonly shared: boolean;
  /** Adds the call unless the queue is full; returns its 0-based position, or undefined when full. */
  abstract enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined>;
  /** The caller is still there (asked at `at`): its 0-based position, or undefined when not queued. */
  abstract checkIn(callId: string, at: number): Promise<number | undefined>;
  /** Removes every entry whose caller last asked before `before`; returns their call ids. */
  abstract removeUnseenSince(before: number): Promise<string[]>;
  abstract remove(callId: string): Promise<boolean>;
  abstract size(): Promise<number>;
  abstract list(): Promise<string[]>;
}

// Score ordering: priority dominates, arrival time breaks ties. Priorities are clamped to 0..99.
export function queueScore(call: QueuedCall): number {
  const priority = Math.max(0, Math.min(99, Math.round(call.priority)));
  return (99 - priority) * 1e13 + call.enqueuedAt;
}
