export interface QueuedCall {
  callId: string;
  priority: number;
  enqueuedAt: number;
}

/**
 * Callers waiting for capacity, served by priority (higher first) then arrival. Redis sorted set when
 * REDIS_URL is set (shared by instances), an in-process ordered list otherwise.
 */
export abstract class CallQueue {
  /** Adds the call unless the queue is full; returns its 0-based position, or undefined when full. */
  abstract enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined>;
  /** 0-based position, or undefined when not queued. */
  abstract position(callId: string): Promise<number | undefined>;
  abstract remove(callId: string): Promise<boolean>;
  abstract size(): Promise<number>;
  abstract list(): Promise<string[]>;
}

// Score ordering: priority dominates, arrival time breaks ties. Priorities are clamped to 0..99.
export function queueScore(call: QueuedCall): number {
  const priority = Math.max(0, Math.min(99, Math.round(call.priority)));
  return (99 - priority) * 1e13 + call.enqueuedAt;
}
