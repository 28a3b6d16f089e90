import { CallRegistry, RegisteredCall } from './call-registry';

/** In-process registry for a single instance (no REDIS_URL). Same contract as the Redis one. */
export class MemoryCallRegistry extends CallRegistry {
  private readonly entries = new Map<string, { call: RegisteredCall; expiresAt: number }>();

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
    return Promise.resolve();
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

  async countLocal(): Promise<number> {
    return (await this.listLocal()).length;
  }

  listLocal(): Promise<RegisteredCall[]> {
    for (const id of this.entries.keys()) this.live(id);
    return Promise.resolve([...this.entries.values()].map((entry) => entry.call));
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
