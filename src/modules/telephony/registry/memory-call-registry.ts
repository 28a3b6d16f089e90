import { CallRegistry, RegisteredCall } from './call-registry';

/** In-process registry for a single instance (no REDIS_URL). Same contract as the Redis one. */
export class MemoryCallRegistry extends CallRegistry {
  private readonly entries = new Map<string, { call: RegisteredCall; expiresAt: number }>();
  // No entry expires before this (heartbeats only postpone expiry): until then the count needs no sweep.
  private earliestExpiry = Infinity;

  constructor(
    private readonly instanceId: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  register(call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>): Promise<void> {
    const registeredAt = this.now();
    this.entries.set(call.callId, {
      call: { ...call, instanceId: this.instanceId, registeredAt },
      expiresAt: registeredAt + this.ttlMs,
    });
    this.earliestExpiry = Math.min(this.earliestExpiry, registeredAt + this.ttlMs);
    return Promise.resolve();
  }

  async registerWithin(
    call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>,
    limit: number,
  ): Promise<boolean> {
    // No await between the count and the registration: nothing else runs in between.
    this.sweep();
    if (this.entries.size >= limit && !this.entries.has(call.callId)) return false;
    await this.register(call);
    return true;
  }

  heartbeat(callId: string): Promise<boolean> {
    const entry = this.live(callId);
    if (entry) entry.expiresAt = this.now() + this.ttlMs;
    return Promise.resolve(entry !== undefined);
  }

  unregister(callId: string): Promise<void> {
    this.entries.delete(callId);
    return Promise.resolve();
  }

  /** Checked on every webhook: O(1) unless an entry may have expired since the last sweep. */
  countLocal(): Promise<number> {
    this.sweep();
    return Promise.resolve(this.entries.size);
  }

  listLocal(): Promise<RegisteredCall[]> {
    this.sweep();
    return Promise.resolve([...this.entries.values()].map((entry) => entry.call));
  }

  private sweep(): void {
    const now = this.now();
    if (now < this.earliestExpiry) return;
    let earliest = Infinity;
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(id);
      else earliest = Math.min(earliest, entry.expiresAt);
    }
    this.earliestExpiry = earliest;
  }

  get(callId: string): Promise<RegisteredCall | undefined> {
    return Promise.resolve(this.live(callId)?.call);
  }

  private live(callId: string) {
    const entry = this.entries.get(callId);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(callId);
      return undefined;
    }
    return entry;
  }
}
