import request from 'supertest';
import { postSignedWebhook } from '../../scripts/call-simulator/twilio-caller';
import { addUser, registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  PUBLIC_BASE_URL,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_ENV,
} from '../support/twilio';
import { TwilioRestStandIn } from '../support/twilio-rest-stand-in';

describe('Telephony REST: outbound calls, history, phone numbers, customers (e2e)', () => {
  const twilio = new TwilioRestStandIn();
  let sut: TestApp;
  let owner: Account;
  let agentId: string;
  let ourNumber: { id: string; e164: string };
  const http = () => request(sut.app.getHttpServer());
  const as = (account: Account) => ({ authorization: `Bearer ${account.accessToken}` });
  const signer = () => ({
    baseUrl: sut.baseUrl,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
  });

  beforeAll(async () => {
    await twilio.start();
    sut = await createTestApp(
      {
        ...TWILIO_ENV,
        TWILIO_API_BASE_URL: twilio.url,
        RETRY_BACKOFF_INITIAL: '0.01',
        RETRY_BACKOFF_MAX: '0.02',
      },
      { listen: true },
    );
    owner = await registerAccount(sut.app);
    agentId = (await createAgent(sut.app, owner)).id;
    ourNumber = await createPhoneNumber(sut.app, owner, agentId);
  });
  afterAll(async () => {
    await sut.close();
    await twilio.stop();
  });

  describe('outbound calls', () => {
    it('dials through the Twilio REST API with signed-callback URLs and records the attempt', async () => {
      const to = uniqueE164();
      const response = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to, from: ourNumber.e164, agentId, timeoutSeconds: 20 })
        .expect(201);

      expect(response.body).toMatchObject({
        direction: 'outbound',
        status: 'queued',
        attemptNumber: 1,
        maxAttempts: 1,
        timeoutSeconds: 20,
        providerCallId: expect.stringMatching(/^CA/),
      });
      const sent = twilio.creates.at(-1)!;
      expect(sent.accountSid).toBe(TWILIO_ACCOUNT_SID);
      expect(sent.authorization).toBe(
        `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`,
      );
      expect(sent.params).toMatchObject({
        To: to,
        From: ourNumber.e164,
        Url: `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
        StatusCallback: `${PUBLIC_BASE_URL}/telephony/twilio/status`,
        Timeout: '20',
      });
    });

    it('connects the answered call to a media stream', async () => {
      const { body: call } = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
        .expect(201);
      const answered = await postSignedWebhook(signer(), '/telephony/twilio/voice', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: call.providerCallId,
        CallStatus: 'in-progress',
        Direction: 'outbound-api',
        From: ourNumber.e164,
        To: call.toNumber,
      });
      expect(answered.body).toContain('<Connect><Stream');
    });

    it('dials again after an unanswered attempt while attempts remain, recording each attempt', async () => {
      const { body: first } = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId, maxAttempts: 2 })
        .expect(201);
      const creates = twilio.creates.length;

      await postSignedWebhook(signer(), '/telephony/twilio/status', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: first.providerCallId,
        CallStatus: 'no-answer',
        SequenceNumber: '2',
      });

      expect(twilio.creates.length).toBe(creates + 1);
      const list = await http()
        .get(`/api/v1/calls?to=${encodeURIComponent(first.toNumber)}`)
        .set(as(owner))
        .expect(200);
      expect(
        list.body.items.map((c: { attemptNumber: number; status: string }) => [
          c.attemptNumber,
          c.status,
        ]),
      ).toEqual([
        [2, 'queued'],
        [1, 'no_answer'],
      ]);
      expect(list.body.items[0].metadata.previousCallId).toBe(first.id);

      const second = list.body.items[0];
      await postSignedWebhook(signer(), '/telephony/twilio/status', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: second.providerCallId,
        CallStatus: 'busy',
        SequenceNumber: '2',
      });
      expect(twilio.creates.length).toBe(creates + 1); // no third attempt
    });

    it('retries a 429 from Twilio but never re-sends a create that failed with a 5xx', async () => {
      const before = twilio.creates.length;
      twilio.failNext.push(429);
      await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
        .expect(201);
      expect(twilio.creates.length).toBe(before + 1);

      twilio.failNext.push(500);
      const failed = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
        .expect(503);
      expect(failed.body.error.code).toBe('PROVIDER_FAILURE');
      expect(twilio.creates.length).toBe(before + 1);
      const list = await http().get('/api/v1/calls?status=failed').set(as(owner)).expect(200);
      expect(list.body.items[0]).toMatchObject({ endReason: 'dial_failed' });
    });

    it('validates the request', async () => {
      const response = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: '555-0100', from: uniqueE164(), agentId: 'x' })
        .expect(422);
      expect(
        response.body.error.details.fields.map((f: { field: string }) => f.field).sort(),
      ).toEqual(['agentId', 'to']);
      const notOurs = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: uniqueE164(), agentId })
        .expect(422);
      expect(notOurs.body.error.message).toMatch(/from must be an enabled phone number/);
    });
  });

  describe('history', () => {
    it('pages through calls newest first with a cursor, and filters', async () => {
      for (let i = 0; i < 3; i++) {
        await http()
          .post('/api/v1/calls')
          .set(as(owner))
          .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
          .expect(201);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await http()
          .get(`/api/v1/calls?limit=2&direction=outbound${cursor ? `&cursor=${cursor}` : ''}`)
          .set(as(owner))
          .expect(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((call: { id: string }) => call.id));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      await http().get('/api/v1/calls?cursor=garbage').set(as(owner)).expect(422);
      await http().get('/api/v1/calls?status=exploded').set(as(owner)).expect(422);
    });

    it('keeps every organization to its own calls, numbers and customers (404 elsewhere)', async () => {
      const other = await registerAccount(sut.app);
      const { body: call } = await http()
        .post('/api/v1/calls')
        .set(as(owner))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
        .expect(201);

      await http().get(`/api/v1/calls/${call.id}`).set(as(other)).expect(404);
      await http().get(`/api/v1/customers/${call.customerId}`).set(as(other)).expect(404);
      await http().get(`/api/v1/phone-numbers/${ourNumber.id}`).set(as(other)).expect(404);
      await http()
        .patch(`/api/v1/phone-numbers/${ourNumber.id}`)
        .set(as(other))
        .send({ enabled: false })
        .expect(404);
      await http().delete(`/api/v1/phone-numbers/${ourNumber.id}`).set(as(other)).expect(404);
      expect((await http().get('/api/v1/calls').set(as(other)).expect(200)).body.items).toEqual([]);
      expect((await http().get('/api/v1/customers').set(as(other)).expect(200)).body.items).toEqual(
        [],
      );
      await http()
        .post('/api/v1/calls')
        .set(as(other))
        .send({ to: uniqueE164(), from: ourNumber.e164, agentId })
        .expect(422);
    });
  });

  describe('phone numbers', () => {
    it('creates, lists, updates and deletes numbers; members may only read', async () => {
      const member = await addUser(sut.app, owner, 'member');
      const e164 = uniqueE164();
      const { body: created } = await http()
        .post('/api/v1/phone-numbers')
        .set(as(owner))
        .send({ e164, agentId })
        .expect(201);
      expect(created).toMatchObject({ e164, provider: 'twilio', agentId, enabled: true });

      await http().post('/api/v1/phone-numbers').set(as(owner)).send({ e164, agentId }).expect(409);
      await http()
        .post('/api/v1/phone-numbers')
        .set(as(member))
        .send({ e164: uniqueE164() })
        .expect(403);
      const list = await http().get('/api/v1/phone-numbers').set(as(member)).expect(200);
      expect(list.body.map((n: { e164: string }) => n.e164)).toContain(e164);

      const patched = await http()
        .patch(`/api/v1/phone-numbers/${created.id}`)
        .set(as(owner))
        .send({ enabled: false, agentId: null })
        .expect(200);
      expect(patched.body).toMatchObject({ enabled: false, agentId: null });
      await http().delete(`/api/v1/phone-numbers/${created.id}`).set(as(owner)).expect(204);
      await http().get(`/api/v1/phone-numbers/${created.id}`).set(as(owner)).expect(404);
    });

    it('refuses an agent of another organization', async () => {
      const other = await registerAccount(sut.app);
      const foreignAgent = await createAgent(sut.app, other);
      await http()
        .post('/api/v1/phone-numbers')
        .set(as(owner))
        .send({ e164: uniqueE164(), agentId: foreignAgent.id })
        .expect(422);
    });
  });
});
