/** What the registry knows of a live call. */
export interface RegisteredCall {
  callId: string;
  organizationId: string;
  instanceId: string;
  registeredAt: number;
}

/**
 * Live calls across instances. Entries expire after CALL_REGISTRY_TTL without a heartbeat, so calls of a
 * crashed instance do not hold capacity forever. Bound to Redis when REDIS_URL is set, in-process otherwise.
 */
export abstract class CallRegistry {
  abstract register(call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>): Promise<void>;
  /**
   * Registers the call only while this instance has fewer than `limit` live calls, checked and registered in
   * one step: simultaneous webhooks must not all see the last free slot.
   */
  abstract registerWithin(
    call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>,
    limit: number,
  ): Promise<boolean>;
  /** Extends the entry's lifetime; false when it had already expired. */
  abstract heartbeat(callId: string): Promise<boolean>;
  abstract unregister(callId: string): Promise<void>;
  /** Live calls of this instance. */
  abstract countLocal(): Promise<number>;
  abstract listLocal(): Promise<RegisteredCall[]>;
  abstract get(callId: string): Promise<RegisteredCall | undefined>;
}
