import type Redis from 'ioredis';
import { CallQueue, QueuedCall, queueScore } from './call-queue';

const KEY = 'switchboard:call-queue';

// KEYS[1] orders the callers; KEYS[2] scores each by when it last asked. Both change together, in scripts.

// Size check and insert in one step, so two instances cannot both take the last place.
const ENQUEUE = `
local existing = redis.call('ZRANK', KEYS[1], ARGV[2])
if existing then return existing end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
return redis.call('ZRANK', KEYS[1], ARGV[2])
`;

const CHECK_IN = `
local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
if not rank then return -1 end
local seen = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not seen or tonumber(seen) < tonumber(ARGV[2]) then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
return rank
`;

const REMOVE_UNSEEN = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return gone
`;

const REMOVE = `
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('ZREM', KEYS[1], ARGV[1])
`;

export class RedisCallQueue extends CallQueue {
  readonly shared = true;
  private readonly seenKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly key = KEY,
  ) {
    super();
    this.seenKey = `${key}:seen`;
  }

  async enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined> {
    const rank = (await this.redis.eval(
      ENQUEUE,
      2,
      this.key,
      this.seenKey,
      queueScore(call),
      call.callId,
      maxSize,
      call.enqueuedAt,
    )) as number;
    return rank < 0 ? undefined : rank;
  }

  async checkIn(callId: string, at: number): Promise<number | undefined> {
    const rank = (await this.redis.eval(CHECK_IN, 2, this.key, this.seenKey, callId, at)) as number;
    return rank < 0 ? undefined : rank;
  }

  async removeUnseenSince(before: number): Promise<string[]> {
    return (await this.redis.eval(REMOVE_UNSEEN, 2, this.key, this.seenKey, before)) as string[];
  }

  async remove(callId: string): Promise<boolean> {
    return ((await this.redis.eval(REMOVE, 2, this.key, this.seenKey, callId)) as number) > 0;
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  list(): Promise<string[]> {
    return this.redis.zrange(this.key, 0, -1);
  }
}
