import Redis from 'ioredis';
import { CallQueue } from '../../src/modules/telephony/queue/call-queue';
import { MemoryCallQueue } from '../../src/modules/telephony/queue/memory-call-queue';
import { RedisCallQueue } from '../../src/modules/telephony/queue/redis-call-queue';
import { CallRegistry } from '../../src/modules/telephony/registry/call-registry';
import { MemoryCallRegistry } from '../../src/modules/telephony/registry/memory-call-registry';
import { RedisCallRegistry } from '../../src/modules/telephony/registry/redis-call-registry';

const TTL_MS = 400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const id = () => crypto.randomUUID();

/**
 * One contract, two implementations. The Redis one runs against REDIS_URL, which CI always sets; a machine
 * without Redis (the quick start) runs the in-process one only, and says so.
 */
const redisUrl = process.env.REDIS_URL;
const backends: [
  string,
  () => { registry: CallRegistry; queue: CallQueue; close: () => Promise<void> },
][] = [
  [
    'in-process',
    () => ({
      registry: new MemoryCallRegistry('instance-a', TTL_MS),
      queue: new MemoryCallQueue(),
      close: () => Promise.resolve(),
    }),
  ],
];
if (redisUrl) {
  backends.push([
    'Redis',
    () => {
      const redis = new Redis(redisUrl);
      const namespace = `test:${id()}`;
      return {
        registry: new RedisCallRegistry(redis, `instance-${namespace}`, TTL_MS),
        queue: new RedisCallQueue(redis, `${namespace}:queue`),
        close: async () => void (await redis.quit()),
      };
    },
  ]);
} else {
  console.warn('REDIS_URL is not set: the Redis call registry and queue contract runs in CI only.');
}

// The webhook, the media stream and the status callbacks of one call may each reach a different instance.
if (redisUrl)
  describe('Redis call registry across instances', () => {
    const redis = new Redis(redisUrl);
    const namespace = `test:${id()}`;
    const instance = (name: string) => new RedisCallRegistry(redis, `${namespace}:${name}`, 60_000);
    afterAll(() => redis.quit());

    it('moves a call to the instance serving its stream, and lets any instance end it', async () => {
      const [admitting, streaming, other] = [instance('a'), instance('b'), instance('c')];
      const call = id();
      await admitting.register({ callId: call, organizationId: 'org' });

      // The media stream reached another instance than the webhook did.
      await streaming.register({ callId: call, organizationId: 'org' });
      expect(await admitting.countLocal()).toBe(0);
      expect(await admitting.listLocal()).toEqual([]);
      expect(await streaming.countLocal()).toBe(1);
      expect(await streaming.get(call)).toMatchObject({ instanceId: `${namespace}:b` });

      // Twilio's status callback for its end lands on a third.
      await other.unregister(call);
      expect(await streaming.countLocal()).toBe(0);
      expect(await streaming.get(call)).toBeUndefined();
    });

    it('keeps a call in the count of its owner when the instance it left still sends a heartbeat', async () => {
      const [admitting, streaming] = [instance('d'), instance('e')];
      const call = id();
      await admitting.register({ callId: call, organizationId: 'org' });
      await streaming.register({ callId: call, organizationId: 'org' });

      expect(await admitting.heartbeat(call)).toBe(true);
      expect(await admitting.countLocal()).toBe(0);
      expect(await streaming.countLocal()).toBe(1);
    });
  });

describe.each(backends)('Call registry and queue contract: %s', (_name, create) => {
  let registry: CallRegistry;
  let queue: CallQueue;
  let close: () => Promise<void>;

  beforeEach(() => ({ registry, queue, close } = create()));
  afterEach(() => close());

  it('registers, counts, lists and unregisters calls of this instance', async () => {
    const [a, b] = [id(), id()];
    await registry.register({ callId: a, organizationId: 'org-1' });
    await registry.register({ callId: b, organizationId: 'org-2' });

    expect(await registry.countLocal()).toBe(2);
    expect((await registry.listLocal()).map((call) => call.callId).sort()).toEqual([a, b].sort());
    expect(await registry.get(a)).toMatchObject({
      callId: a,
      organizationId: 'org-1',
      registeredAt: expect.any(Number),
    });

    await registry.unregister(a);
    expect(await registry.countLocal()).toBe(1);
    expect(await registry.get(a)).toBeUndefined();
  });

  it('gives simultaneous registrations within a limit only the slots that are free', async () => {
    const held = id();
    await registry.register({ callId: held, organizationId: 'org' });
    const callers = Array.from({ length: 6 }, () => id());

    const outcomes = await Promise.all(
      callers.map((callId) => registry.registerWithin({ callId, organizationId: 'org' }, 3)),
    );

    expect(outcomes.filter(Boolean)).toHaveLength(2);
    expect(await registry.countLocal()).toBe(3);
    const admitted = callers.filter((_, i) => outcomes[i]);
    for (const callId of admitted) expect(await registry.get(callId)).toBeDefined();
    // A call already counted here is let through (a retried webhook), without taking a second slot.
    expect(await registry.registerWithin({ callId: held, organizationId: 'org' }, 3)).toBe(true);
    expect(await registry.countLocal()).toBe(3);
    await registry.unregister(held);
    expect(await registry.registerWithin({ callId: id(), organizationId: 'org' }, 3)).toBe(true);
  });

  it('expires orphans that stop sending heartbeats, and keeps those that do', async () => {
    const [orphan, alive] = [id(), id()];
    await registry.register({ callId: orphan, organizationId: 'org' });
    await registry.register({ callId: alive, organizationId: 'org' });

    for (let i = 0; i < 4; i++) {
      await sleep(TTL_MS / 3);
      expect(await registry.heartbeat(alive)).toBe(true);
    }

    expect(await registry.get(orphan)).toBeUndefined();
    expect(await registry.heartbeat(orphan)).toBe(false);
    expect((await registry.listLocal()).map((call) => call.callId)).toEqual([alive]);
    expect(await registry.countLocal()).toBe(1);
  });

  it('orders the queue by priority, then arrival', async () => {
    const now = Date.now();
    expect(await queue.enqueue({ callId: 'low-early', priority: 0, enqueuedAt: now }, 10)).toBe(0);
    expect(await queue.enqueue({ callId: 'low-late', priority: 0, enqueuedAt: now + 5 }, 10)).toBe(
      1,
    );
    expect(await queue.enqueue({ callId: 'vip', priority: 7, enqueuedAt: now + 10 }, 10)).toBe(0);

    expect(await queue.list()).toEqual(['vip', 'low-early', 'low-late']);
    expect(await queue.checkIn('low-late', now)).toBe(2);
    expect(await queue.checkIn('nobody', now)).toBeUndefined();
  });

  it('refuses callers beyond its size, and keeps a caller in one place when asked twice', async () => {
    await queue.enqueue({ callId: 'a', priority: 0, enqueuedAt: 1 }, 2);
    await queue.enqueue({ callId: 'b', priority: 0, enqueuedAt: 2 }, 2);

    expect(await queue.enqueue({ callId: 'c', priority: 9, enqueuedAt: 3 }, 2)).toBeUndefined();
    expect(await queue.enqueue({ callId: 'a', priority: 0, enqueuedAt: 4 }, 2)).toBe(0);
    expect(await queue.size()).toBe(2);

    expect(await queue.remove('a')).toBe(true);
    expect(await queue.remove('a')).toBe(false);
    expect(await queue.list()).toEqual(['b']);
  });

  it('takes back the places of callers who stopped asking, and only theirs', async () => {
    await queue.enqueue({ callId: 'gone', priority: 5, enqueuedAt: 1_000 }, 10);
    await queue.enqueue({ callId: 'waiting', priority: 0, enqueuedAt: 1_100 }, 10);
    await queue.enqueue({ callId: 'new', priority: 0, enqueuedAt: 1_900 }, 10);
    expect(await queue.checkIn('waiting', 1_800)).toBe(1);
    // A check-in that arrives late says nothing newer than what is already known.
    expect(await queue.checkIn('waiting', 1_200)).toBe(1);
    expect(await queue.checkIn('nobody', 1_800)).toBeUndefined();

    expect(await queue.removeUnseenSince(1_500)).toEqual(['gone']);
    expect(await queue.list()).toEqual(['waiting', 'new']);
    expect(await queue.removeUnseenSince(1_500)).toEqual([]);

    // A caller removed by hand is not reported again later.
    expect(await queue.remove('waiting')).toBe(true);
    expect(await queue.removeUnseenSince(1_850)).toEqual([]);
    expect(await queue.removeUnseenSince(2_000)).toEqual(['new']);
    expect(await queue.size()).toBe(0);
  });
});
