import type Redis from 'ioredis';
import { CallRegistry, RegisteredCall } from './call-registry';

const PREFIX = 'switchboard:calls';
/** An instance's sorted set is this followed by its id; the scripts name another owner's set with it. */
const INSTANCE_KEY_PREFIX = `${PREFIX}:instance:`;

// Each change reads the call's owner and updates the owners' counts in one step: read first and written after,
// an instance taking the call over in between left it counted by two instances (for the registry's TTL).
// The owner's set is named from the hash, so these scripts suit one Redis (or a primary), not Redis Cluster.

// KEYS: the call, this instance's set. ARGV: call id, organization, instance id, now, TTL, instance set prefix.
// The webhook and the media stream of one call may reach different instances: the call moves to the one
// serving its stream, and stops counting against the capacity of the one that admitted it.
const REGISTER = `
local owner = redis.call('HGET', KEYS[1], 'instanceId')
if owner and owner ~= ARGV[3] then redis.call('ZREM', ARGV[6] .. owner, ARGV[1]) end
redis.call('HSET', KEYS[1], 'callId', ARGV[1], 'organizationId', ARGV[2], 'instanceId', ARGV[3], 'registeredAt', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) + tonumber(ARGV[5]), ARGV[1])
`;

// KEYS and ARGV as REGISTER, then the limit: registers only while this instance has fewer live calls than that
// (a call it already counts is let through), so the count and the registration cannot be split by another
// webhook's. Returns 1 when registered.
const REGISTER_WITHIN = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[7]) then
  return 0
end
${REGISTER}
return 1
`;

// KEYS: the call. ARGV: call id, now, TTL, instance set prefix. Extends the call in its owner's count, whoever
// sends it: a heartbeat racing a takeover must not put the call back in the count of the instance it left.
const HEARTBEAT = `
local owner = redis.call('HGET', KEYS[1], 'instanceId')
if not owner then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', ARGV[4] .. owner, tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
return 1
`;

// KEYS: the call, this instance's set. ARGV: call id, instance set prefix.
const UNREGISTER = `
local owner = redis.call('HGET', KEYS[1], 'instanceId')
if owner then redis.call('ZREM', ARGV[2] .. owner, ARGV[1]) end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
`;

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

  private instanceKey(): string {
    return `${INSTANCE_KEY_PREFIX}${this.instanceId}`;
  }

  async register(call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>): Promise<void> {
    await this.runRegistration(REGISTER, call);
  }

  async registerWithin(
    call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>,
    limit: number,
  ): Promise<boolean> {
    return (await this.runRegistration(REGISTER_WITHIN, call, limit)) === 1;
  }

  private runRegistration(
    script: string,
    call: Omit<RegisteredCall, 'registeredAt' | 'instanceId'>,
    ...extra: number[]
  ): Promise<unknown> {
    return this.redis.eval(
      script,
      2,
      this.callKey(call.callId),
      this.instanceKey(),
      call.callId,
      call.organizationId,
      this.instanceId,
      Date.now(),
      this.ttlMs,
      INSTANCE_KEY_PREFIX,
      ...extra,
    );
  }

  async heartbeat(callId: string): Promise<boolean> {
    const extended = await this.redis.eval(
      HEARTBEAT,
      1,
      this.callKey(callId),
      callId,
      Date.now(),
      this.ttlMs,
      INSTANCE_KEY_PREFIX,
    );
    return extended === 1;
  }

  /** Also from another instance (a status callback may reach any): the call leaves its owner's count too. */
  async unregister(callId: string): Promise<void> {
    await this.redis.eval(
      UNREGISTER,
      2,
      this.callKey(callId),
      this.instanceKey(),
      callId,
      INSTANCE_KEY_PREFIX,
    );
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
