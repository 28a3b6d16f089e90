import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import WebSocket from 'ws';
import {
  newCallSid,
  parseStreamTwiml,
  placeCall,
  postSignedWebhook,
} from '../../scripts/call-simulator/twilio-caller';
import { Call } from '../../src/modules/telephony/calls/call.entity';
import { CallsService } from '../../src/modules/telephony/calls/calls.service';
import { CustomersRepository } from '../../src/modules/telephony/customers/customers.repository';
import { CallQueue } from '../../src/modules/telephony/queue/call-queue';
import { CallRegistry } from '../../src/modules/telephony/registry/call-registry';
import { RedisCallRegistry } from '../../src/modules/telephony/registry/redis-call-registry';
import { registerAccount } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  PUBLIC_BASE_URL,
  sharedAudio,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_ENV,
} from '../support/twilio';
import { waitFor } from '../support/wait-for';

async function setUp(env: Record<string, string>) {
  // Without text-to-speech: these tests are about capacity and ending, not about what the caller hears.
  const sut = await createTestApp(
    { ...TWILIO_ENV, ESPEAK_NG_PATH: '/nonexistent/espeak-ng', ...env },
    { listen: true },
  );
  const owner = await registerAccount(sut.app);
  const agent = await createAgent(sut.app, owner, { maxTurns: 2 });
  const number = await createPhoneNumber(sut.app, owner, agent.id);
  return { sut, owner, number };
}

/**
 * An app for one describe block. A Redis queue outlives the app (it is every instance's), so the block leaves
 * it empty for the suites that follow.
 */
function appForBlock(env: Record<string, string>) {
  const block = {} as Awaited<ReturnType<typeof setUp>>;
  beforeAll(async () => Object.assign(block, await setUp(env)));
  afterAll(async () => {
    const queue = block.sut.app.get(CallQueue);
    for (const callId of await queue.list()) await queue.remove(callId);
    await block.sut.close();
  });
  return block;
}

function helpers(sut: TestApp, number: { e164: string }) {
  const signer = {
    baseUrl: sut.baseUrl,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
  };
  const mediaUrl = `${sut.baseUrl.replace('http', 'ws')}/telephony/twilio/media`;
  const call = (callSid: string) =>
    sut.app.get(DataSource).getRepository(Call).findOneByOrFail({ providerCallId: callSid });
  /** Opens the media stream a TwiML answer points at and sends Twilio's `start`. */
  const openStream = async (twiml: string, callSid: string) => {
    const stream = parseStreamTwiml(twiml)!;
    const socket = new WebSocket(mediaUrl);
    await new Promise((resolve) => socket.once('open', resolve));
    const streamSid = `MZ${'0'.repeat(32)}`;
    socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    socket.send(
      JSON.stringify({
        event: 'start',
        streamSid,
        start: { callSid, customParameters: stream.parameters, tracks: ['inbound'] },
      }),
    );
    return socket;
  };
  return {
    signer,
    mediaUrl,
    ring: (from = uniqueE164(), callSid = newCallSid()) =>
      postSignedWebhook(signer, '/telephony/twilio/voice', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: callSid,
        CallStatus: 'ringing',
        From: from,
        To: number.e164,
      }).then((response) => ({ ...response, callSid })),
    /** Twilio's request to the fallback URL after our answer to the call failed to reach it. */
    fallback: (callSid: string) =>
      postSignedWebhook(signer, '/telephony/twilio/fallback', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: callSid,
        ErrorCode: '11205',
        ErrorUrl: `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
      }),
    poll: (callSid: string) =>
      postSignedWebhook(signer, '/telephony/twilio/queue-wait', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: callSid,
        CallStatus: 'in-progress',
      }),
    call,
    openStream,
    /** `openStream`, then waits until the stream has attached: the call is in progress. */
    openLiveStream: async (twiml: string, callSid: string) => {
      const socket = await openStream(twiml, callSid);
      await waitFor(
        () => call(callSid),
        (c) => c.status === 'in_progress',
      );
      return socket;
    },
  };
}

describe('Telephony: capacity, queue, sessions and draining (e2e)', () => {
  describe('a session', () => {
    let sut: TestApp;
    let number: { e164: string };
    beforeAll(async () => ({ sut, number } = await setUp({})));
    afterAll(() => sut.close());

    it('refuses a stream whose token is missing or forged, closing the socket', async () => {
      const { ring, mediaUrl } = helpers(sut, number);
      const answer = await ring();
      const socket = new WebSocket(mediaUrl);
      await new Promise((resolve) => socket.once('open', resolve));
      const closed = new Promise<number>((resolve) =>
        socket.once('close', (code) => resolve(code)),
      );
      socket.send(
        JSON.stringify({
          event: 'start',
          streamSid: 'MZ1',
          start: {
            callSid: answer.callSid,
            customParameters: { token: 'eyJmYWtlIjp0cnVlfQ.forged' },
          },
        }),
      );

      expect(await closed).toBe(1008);
    });

    it('treats JSON that is not an object (null, a number, an array) as a protocol error, and the call goes on', async () => {
      const { ring, openLiveStream, call } = helpers(sut, number);
      const answer = await ring();
      const socket = await openLiveStream(answer.body, answer.callSid);
      // Before any start too: an unauthenticated socket must not be able to take the instance down.
      const stranger = new WebSocket(helpers(sut, number).mediaUrl);
      await new Promise((resolve) => stranger.once('open', resolve));
      for (const text of ['null', '42', '[]', '"media"']) {
        stranger.send(text);
        socket.send(text);
      }
      socket.send(JSON.stringify({ event: 'media', media: null }));
      socket.send(JSON.stringify({ event: 'stop', streamSid: `MZ${'0'.repeat(32)}`, stop: {} }));
      const ended = await waitFor(
        () => call(answer.callSid),
        (c) => c.endedAt !== null,
      );
      expect(ended).toMatchObject({ status: 'completed', endReason: 'stream_stopped' });
      expect(stranger.readyState).toBe(WebSocket.OPEN);
      stranger.close();
    });

    it('lets a stream token attach one stream only: a replay, while the call is live or after it ended, is refused', async () => {
      const { ring, openStream, call } = helpers(sut, number);
      const answer = await ring();
      const first = await openStream(answer.body, answer.callSid);
      const live = await waitFor(
        () => call(answer.callSid),
        (c) => c.status === 'in_progress',
      );
      const closedWith = (socket: WebSocket) =>
        new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

      const replay = await openStream(answer.body, answer.callSid);
      const replayClosed = closedWith(replay);
      // Garbage right behind the replayed start: the protocol errors must not end the call it names.
      for (let i = 0; i < 30; i++) replay.send('not json');
      expect(await replayClosed).toBe(1008);
      // The call's own stream is untouched by the refused one.
      expect(first.readyState).toBe(WebSocket.OPEN);
      expect(await call(answer.callSid)).toMatchObject({ status: 'in_progress', endedAt: null });
      expect(await sut.app.get(CallRegistry).get(live.id)).toBeDefined();

      const firstClosed = closedWith(first);
      first.send(JSON.stringify({ event: 'stop', streamSid: `MZ${'0'.repeat(32)}`, stop: {} }));
      await firstClosed;
      const ended = await waitFor(
        () => call(answer.callSid),
        (c) => c.endedAt !== null,
      );
      expect(ended).toMatchObject({ status: 'completed', endReason: 'stream_stopped' });

      const afterEnd = await openStream(answer.body, answer.callSid);
      expect(await closedWith(afterEnd)).toBe(1008);
      expect(await call(answer.callSid)).toMatchObject({
        status: 'completed',
        endReason: 'stream_stopped',
        endedAt: ended.endedAt,
      });
      expect(await sut.app.get(CallRegistry).get(live.id)).toBeUndefined();
      const started = await sut.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS n FROM call_events WHERE call_id = $1 AND type = $2`, [
          live.id,
          'stream.started',
        ]);
      expect(started[0].n).toBe(1);
    });

    it('closes a media socket that sends an oversized message, before reading it all', async () => {
      const { mediaUrl } = helpers(sut, number);
      const socket = new WebSocket(mediaUrl);
      await new Promise((resolve) => socket.once('open', resolve));
      const closed = new Promise<number>((resolve) =>
        socket.once('close', (code) => resolve(code)),
      );

      socket.send(JSON.stringify({ event: 'media', media: { payload: 'x'.repeat(100_000) } }));

      expect(await closed).toBe(1009);
    });

    it('ends a call whose socket drops mid-call as failed, with a reason', async () => {
      const { ring, openLiveStream, call } = helpers(sut, number);
      const answer = await ring();
      const socket = await openLiveStream(answer.body, answer.callSid);

      socket.terminate(); // no stop message: the network failed

      const ended = await waitFor(
        () => call(answer.callSid),
        (c) => c.endedAt !== null,
      );
      expect(ended).toMatchObject({ status: 'failed', endReason: 'stream_disconnected' });
      expect(await sut.app.get(CallRegistry).get(ended.id)).toBeUndefined();
    });

    it('ends the call politely after the agent’s turn limit', async () => {
      const result = await placeCall({
        baseUrl: sut.baseUrl,
        publicBaseUrl: PUBLIC_BASE_URL,
        authToken: TWILIO_AUTH_TOKEN,
        accountSid: TWILIO_ACCOUNT_SID,
        from: uniqueE164(),
        to: number.e164,
        audio: sharedAudio('call-4-turns'),
        speed: 20,
        mediaUrlOverride: helpers(sut, number).mediaUrl,
      });

      expect(result.closedBy).toBe('server');
      const ended = await waitFor(
        () => helpers(sut, number).call(result.callSid),
        (c) => c.endedAt !== null,
      );
      expect(ended).toMatchObject({ status: 'completed', endReason: 'max_turns', turnCount: 2 });
    });
  });

  describe('capacity and the queue', () => {
    const block = appForBlock({
      MAX_CONCURRENT_CALLS: '1',
      ENABLE_CALL_QUEUE: 'true',
      MAX_CALL_QUEUE_SIZE: '2',
      CALL_QUEUE_POLL_INTERVAL: '1',
    });

    it('queues callers beyond capacity by priority then arrival, refuses them when the queue is full, and connects them in order', async () => {
      const { ring, poll, call, openLiveStream } = helpers(block.sut, block.number);
      const vipNumber = uniqueE164();
      await block.sut.app
        .get(CustomersRepository)
        .recordContact(block.owner.organizationId, vipNumber, new Date());
      await block.sut.app
        .get(DataSource)
        .query(`UPDATE customers SET metadata = '{"priority": 5}' WHERE phone = $1`, [vipNumber]);

      const first = await ring();
      expect(first.body).toContain('<Connect><Stream');
      const regular = await ring();
      expect(regular.body).toMatch(
        /<Say>All of our agents are busy.*<\/Say><Pause length="1"\/><Redirect method="POST">https:\/\/switchboard.example.test\/telephony\/twilio\/queue-wait<\/Redirect>/,
      );
      const vip = await ring(vipNumber);
      expect(vip.body).toContain('<Redirect');
      expect(await block.sut.app.get(CallQueue).list()).toEqual([
        (await call(vip.callSid)).id,
        (await call(regular.callSid)).id,
      ]);

      const overflow = await ring();
      expect(overflow.body).toMatch(/<Say>.*lines are busy.*<\/Say><Hangup\/>/);
      expect(await call(overflow.callSid)).toMatchObject({
        status: 'busy',
        endReason: 'queue_full',
      });

      // Capacity is still taken: waiting callers keep holding.
      expect((await poll(vip.callSid)).body).toContain('<Redirect');

      // The first call connects and then ends: the VIP is next, then the regular caller.
      const socket = await openLiveStream(first.body, first.callSid);
      socket.send(
        JSON.stringify({
          event: 'stop',
          streamSid: `MZ${'0'.repeat(32)}`,
          stop: { callSid: first.callSid },
        }),
      );
      await waitFor(
        () => call(first.callSid),
        (c) => c.endedAt !== null,
      );

      expect((await poll(regular.callSid)).body).toContain('<Redirect'); // not its turn yet
      expect((await poll(vip.callSid)).body).toContain('<Connect><Stream');
      expect((await poll(regular.callSid)).body).toContain('<Redirect'); // the VIP holds the slot now
      expect(await block.sut.app.get(CallQueue).list()).toEqual([(await call(regular.callSid)).id]);
    });

    it('takes a caller who hangs up while waiting out of the queue', async () => {
      const { ring, call, signer } = helpers(block.sut, block.number);
      const waiting = await ring();
      expect(waiting.body).toContain('<Redirect');
      await postSignedWebhook(signer, '/telephony/twilio/status', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: waiting.callSid,
        CallStatus: 'canceled',
        SequenceNumber: '9',
      });

      expect(await block.sut.app.get(CallQueue).list()).not.toContain(
        (await call(waiting.callSid)).id,
      );
    });
  });

  describe('what an ended call gives back', () => {
    const block = appForBlock({
      MAX_CONCURRENT_CALLS: '1',
      ENABLE_CALL_QUEUE: 'true',
      CALL_QUEUE_POLL_INTERVAL: '1',
    });

    it('frees the slot of a call Twilio fell back on, and the queue place of a call whose callback came after it ended', async () => {
      const { ring, poll, call, signer, fallback } = helpers(block.sut, block.number);
      const first = await ring();
      expect(first.body).toContain('<Connect><Stream');
      const second = await ring();
      expect(second.body).toContain('<Redirect');

      // Our answer to the first never reached Twilio: no stream will come, and no callback need free its slot.
      const fellBack = await fallback(first.callSid);
      expect(fellBack.body).toMatch(/<Say>.*<\/Say><Hangup\/>/);
      const firstCall = await call(first.callSid);
      expect(firstCall).toMatchObject({ status: 'failed', endReason: 'webhook_fallback' });
      expect(await block.sut.app.get(CallRegistry).get(firstCall.id)).toBeUndefined();
      expect((await poll(second.callSid)).body).toContain('<Connect><Stream');

      // A waiting caller's call ended by another path, which left its place taken: the late callback frees it,
      // or it would head the queue for good and nobody behind it would ever connect.
      const third = await ring();
      expect(third.body).toContain('<Redirect');
      const thirdCall = await call(third.callSid);
      await block.sut.app.get(CallsService).end(thirdCall.id, 'failed', 'stream_never_started');
      expect(await block.sut.app.get(CallQueue).list()).toContain(thirdCall.id);
      await postSignedWebhook(signer, '/telephony/twilio/status', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: third.callSid,
        CallStatus: 'completed',
        SequenceNumber: '3',
      });
      expect(await block.sut.app.get(CallQueue).list()).not.toContain(thirdCall.id);
      expect(await call(third.callSid)).toMatchObject({ status: 'failed' });
    });
  });

  describe('a caller gone from the queue without a word', () => {
    const block = appForBlock({
      MAX_CONCURRENT_CALLS: '1',
      ENABLE_CALL_QUEUE: 'true',
      CALL_QUEUE_POLL_INTERVAL: '1',
      CALL_QUEUE_ABANDON_AFTER: '3',
    });

    it('gives the place of a queued caller who stopped asking, with no callback, to the callers behind', async () => {
      const { ring, poll, call, fallback } = helpers(block.sut, block.number);
      const holding = await ring();
      expect(holding.body).toContain('<Connect><Stream');
      const ghost = await ring();
      expect(ghost.body).toContain('<Redirect');
      const waiting = await ring();
      expect(waiting.body).toContain('<Redirect');
      const ghostCall = await call(ghost.callSid);
      expect(await block.sut.app.get(CallQueue).list()).toEqual([
        ghostCall.id,
        (await call(waiting.callSid)).id,
      ]);

      // The ghost's hold loop never asks again and Twilio's callback for it is lost; the other caller keeps
      // asking every second, as Twilio does for a caller still on the line.
      const asked = Date.now();
      while (Date.now() - asked < 4_000) {
        expect((await poll(waiting.callSid)).body).toContain('<Redirect');
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      expect(await block.sut.app.get(CallQueue).list()).toEqual([(await call(waiting.callSid)).id]);
      expect(await call(ghost.callSid)).toMatchObject({
        status: 'canceled',
        endReason: 'queue_abandoned',
      });

      await fallback(holding.callSid);
      expect((await poll(waiting.callSid)).body).toContain('<Connect><Stream');
    });
  });

  describe('draining', () => {
    it('waits for the stream of a call answered just before the shutdown, and lets that call run to its end', async () => {
      const { sut, number } = await setUp({
        SHUTDOWN_DRAIN_TIMEOUT: '8',
        ENABLE_CONNECTION_DRAINING: 'true',
      });
      const { ring, openLiveStream } = helpers(sut, number);
      const answered = await ring();

      const closing = sut.app.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Twilio opens the stream a moment after the TwiML: the drain has begun by then.
      const socket = await openLiveStream(answered.body, answered.callSid);
      const socketClosed = new Promise<number>((resolve) =>
        socket.once('close', (code) => resolve(code)),
      );
      socket.send(JSON.stringify({ event: 'stop', streamSid: `MZ${'0'.repeat(32)}`, stop: {} }));
      expect(await socketClosed).toBe(1000);
      await closing;

      const reader = await createTestApp({});
      try {
        expect(
          await reader.app
            .get(DataSource)
            .getRepository(Call)
            .findOneByOrFail({ providerCallId: answered.callSid }),
        ).toMatchObject({ status: 'completed', endReason: 'stream_stopped' });
      } finally {
        await reader.close();
      }
    });

    if (process.env.REDIS_URL)
      it('stops waiting for a stream that attached to another instance', async () => {
        const { sut: answering, number } = await setUp({
          SHUTDOWN_DRAIN_TIMEOUT: '8',
          ENABLE_CONNECTION_DRAINING: 'true',
        });
        // One process, so one INSTANCE_ID: the second app's registry names itself as another instance.
        const redis = new Redis(process.env.REDIS_URL!);
        const streaming = await createTestApp(
          { ...TWILIO_ENV, ESPEAK_NG_PATH: '/nonexistent/espeak-ng' },
          {
            listen: true,
            providers: [[CallRegistry, new RedisCallRegistry(redis, 'another-instance', 60_000)]],
          },
        );
        try {
          const answered = await helpers(answering, number).ring();
          // Behind a load balancer the stream Twilio opens can reach another instance than the webhook did.
          const socket = await helpers(streaming, number).openLiveStream(
            answered.body,
            answered.callSid,
          );

          // The drain's deadline is 8 s and a stream is awaited for up to 10: a drain that still waited for this
          // one would run into the deadline.
          const closingStarted = Date.now();
          await answering.app.close();
          expect(Date.now() - closingStarted).toBeLessThan(4_000);
          // The call is the other instance's, and goes on there.
          expect(await helpers(streaming, number).call(answered.callSid)).toMatchObject({
            status: 'in_progress',
          });
          socket.close();
        } finally {
          await streaming.close();
          await redis.quit();
        }
      });

    const queues: [string, string][] = [['an in-process', '']];
    if (process.env.REDIS_URL) queues.push(['the Redis', process.env.REDIS_URL]);
    it.each(queues)(
      'with %s queue, decides by whose queue it is what becomes of a caller still waiting at shutdown',
      async (_, redisUrl) => {
        const { sut, number } = await setUp({
          REDIS_URL: redisUrl,
          MAX_CONCURRENT_CALLS: '1',
          ENABLE_CALL_QUEUE: 'true',
          ENABLE_CONNECTION_DRAINING: 'true',
          SHUTDOWN_DRAIN_TIMEOUT: '1.5',
        });
        const { ring, poll, call, openLiveStream } = helpers(sut, number);
        const queue = sut.app.get(CallQueue);
        const live = await ring();
        await openLiveStream(live.body, live.callSid); // keeps the drain going
        const waiting = await ring();
        expect(waiting.body).toContain('<Redirect');
        const waitingId = (await call(waiting.callSid)).id;

        const closing = sut.app.close();
        await new Promise((resolve) => setTimeout(resolve, 200));
        // The hold loop asks while this instance drains.
        const answer = (await poll(waiting.callSid)).body;
        await closing;

        const reader = await createTestApp({});
        try {
          const stored = await reader.app
            .get(DataSource)
            .getRepository(Call)
            .findOneByOrFail({ providerCallId: waiting.callSid });
          if (queue.shared) {
            // Every instance serves the Redis queue: the caller holds on, and the next poll reaches one still running.
            expect(answer).toContain('<Redirect');
            expect(stored.endedAt).toBeNull();
            expect(await reader.app.get(CallQueue).list()).toContain(waitingId);
            await reader.app.get(CallQueue).remove(waitingId);
          } else {
            expect(answer).toMatch(/<Say>.*restarting.*<\/Say><Hangup\/>/);
            expect(stored).toMatchObject({ status: 'canceled', endReason: 'shutdown' });
          }
        } finally {
          await reader.close();
        }
      },
    );

    it('refuses new calls, lets live calls run until the deadline, then ends them as shutdown, leaving no call open', async () => {
      const { sut, number } = await setUp({
        SHUTDOWN_DRAIN_TIMEOUT: '1.5',
        ENABLE_CONNECTION_DRAINING: 'true',
      });
      const { ring, call, openLiveStream } = helpers(sut, number);
      const live = await ring();
      const socket = await openLiveStream(live.body, live.callSid);
      const admittedOnly = await ring(); // admitted, but its stream never arrives
      const socketClosed = new Promise<number>((resolve) =>
        socket.once('close', (code) => resolve(code)),
      );

      const closing = sut.app.close();
      await new Promise((resolve) => setTimeout(resolve, 200));

      const refused = await ring();
      expect(refused.body).toMatch(/<Say>.*restarting.*<\/Say><Hangup\/>/);
      expect((await call(live.callSid)).status).toBe('in_progress'); // still talking during the drain

      await closing;
      expect(await socketClosed).toBe(1000);
      // The app is closed: read the outcome with a fresh connection.
      const reader = await createTestApp({});
      try {
        const repository = reader.app.get(DataSource).getRepository(Call);
        expect(await repository.findOneByOrFail({ providerCallId: live.callSid })).toMatchObject({
          status: 'completed',
          endReason: 'shutdown',
        });
        expect(
          await repository.findOneByOrFail({ providerCallId: admittedOnly.callSid }),
        ).toMatchObject({ status: 'canceled', endReason: 'shutdown' });
        expect(await repository.findOneByOrFail({ providerCallId: refused.callSid })).toMatchObject(
          { status: 'canceled', endReason: 'shutdown' },
        );
      } finally {
        await reader.close();
      }
    });
  });
});
