import type { ChainableCommander, default as Redis } from 'ioredis';
import { CallRegistry, RegisteredCall } from './call-registry';

const PREFIX = 'switchboard:calls';

/**
 * Redis registry: one hash per call with a TTL (`switchboard:calls:call:<id>`), and per instance a sorted set
 * of its calls scored by expiry, so counting skips expired entries without scanning keys.
 */
export class RedisCallRegistry extends CallRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {
    super();
  }

  private callKey(callId: string): string {
    return `${PREFIX}:call:${callId}`;
  }

  private instanceKey(instanceId = this.instanceId): string {
    return `${PREFIX}:instance:${instanceId}`;
  }

  async register(call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>): Promise<void> {
    const now = Date.now();
    // The webhook and the media stream of one call may reach different instances: the call moves to the one
    // serving its stream, and stops counting against the capacity of the one that admitted it.
    const transaction = await this.releasedByOtherOwner(call.callId);
    await transaction
      .hset(this.callKey(call.callId), {
        callId: call.callId,
        organizationId: call.organizationId,
        instanceId: this.instanceId,
        registeredAt: String(now),
      })
      .pexpire(this.callKey(call.callId), this.ttlMs)
      .zadd(this.instanceKey(), now + this.ttlMs, call.callId)
      .exec();
  }

  async heartbeat(callId: string): Promise<boolean> {
    const extended = await this.redis.pexpire(this.callKey(callId), this.ttlMs);
    if (extended === 1) await this.redis.zadd(this.instanceKey(), Date.now() + this.ttlMs, callId);
    return extended === 1;
  }

  /** Also from another instance (a status callback may reach any): the call leaves its owner's count too. */
  async unregister(callId: string): Promise<void> {
    const transaction = await this.releasedByOtherOwner(callId);
    await transaction.del(this.callKey(callId)).zrem(this.instanceKey(), callId).exec();
  }

  /** A transaction that starts by taking the call out of its owner's count, when the owner is another instance. */
  private async releasedByOtherOwner(callId: string): Promise<ChainableCommander> {
    const owner = await this.redis.hget(this.callKey(callId), 'instanceId');
    const transaction = this.redis.multi();
    if (owner && owner !== this.instanceId) transaction.zrem(this.instanceKey(owner), callId);
    return transaction;
  }

  async countLocal(): Promise<number> {
    await this.redis.zremrangebyscore(this.instanceKey(), '-inf', Date.now());
    return this.redis.zcard(this.instanceKey());
  }

  async listLocal(): Promise<RegisteredCall[]> {
    await this.redis.zremrangebyscore(this.instanceKey(), '-inf', Date.now());
    const ids = await this.redis.zrange(this.instanceKey(), 0, -1);
    const calls = await Promise.all(ids.map((id) => this.get(id)));
    // An entry another instance has taken over since is that instance's to end, not ours.
    return calls.filter(
      (call): call is RegisteredCall => call !== undefined && call.instanceId === this.instanceId,
    );
  }

  async get(callId: string): Promise<RegisteredCall | undefined> {
    const hash = await this.redis.hgetall(this.callKey(callId));
    if (!hash.callId) return undefined;
    return {
      callId: hash.callId,
      organizationId: hash.organizationId,
      instanceId: hash.instanceId,
      registeredAt: Number(hash.registeredAt),
    };
  }
}
