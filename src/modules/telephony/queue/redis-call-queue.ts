import type Redis from 'ioredis';
import { CallQueue, QueuedCall, queueScore } from './call-queue';

const KEY = 'switchboard:call-queue';

// Size check and insert in one step, so two instances cannot both take the last place.
const ENQUEUE = `
local existing = redis.call('ZRANK', KEYS[1], ARGV[2])
if existing then return existing end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
return redis.call('ZRANK', KEYS[1], ARGV[2])
`;

export class RedisCallQueue extends CallQueue {
  constructor(
    private readonly redis: Redis,
    private readonly key = KEY,
  ) {
    super();
  }

  async enqueue(call: QueuedCall, maxSize: number): Promise<number | undefined> {
    const rank = (await this.redis.eval(
      ENQUEUE,
      1,
      this.key,
      queueScore(call),
      call.callId,
      maxSize,
    )) as number;
    return rank < 0 ? undefined : rank;
  }

  async position(callId: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.key, callId);
    return rank === null ? undefined : rank;
  }

  async remove(callId: string): Promise<boolean> {
    return (await this.redis.zrem(this.key, callId)) > 0;
  }

  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  list(): Promise<string[]> {
    return this.redis.zrange(this.key, 0, -1);
  }
}
