import request from 'supertest';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { DataSource } from 'typeorm';
import { newCallSid, postSignedWebhook } from '../../scripts/call-simulator/twilio-caller';
import { CallEvent } from '../../src/modules/telephony/calls/call-event.entity';
import { Call } from '../../src/modules/telephony/calls/call.entity';
import { registerAccount, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import {
  PUBLIC_BASE_URL,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_ENV,
} from '../support/twilio';

describe('Telephony: Twilio webhooks (e2e)', () => {
  let sut: TestApp;
  let owner: Account;
  let number: { e164: string };

  beforeAll(async () => {
    sut = await createTestApp({ ...TWILIO_ENV, TWILIO_RATE_LIMIT: '3' }, { listen: true });
    owner = await registerAccount(sut.app);
    number = await createPhoneNumber(sut.app, owner, (await createAgent(sut.app, owner)).id);
  });
  afterAll(() => sut.close());

  const signer = () => ({
    baseUrl: sut.baseUrl,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
  });
  const voiceParams = (overrides: Record<string, string> = {}) => ({
    AccountSid: TWILIO_ACCOUNT_SID,
    CallSid: newCallSid(),
    CallStatus: 'ringing',
    From: uniqueE164(),
    To: number.e164,
    ...overrides,
  });
  /** Twilio's request to the fallback URL after our answer to the voice webhook (`params`) failed. */
  const fallback = (params: Record<string, string>) =>
    postSignedWebhook(signer(), '/telephony/twilio/fallback', {
      ...params,
      ErrorCode: '11200',
      ErrorUrl: `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
    });
  const calls = () => sut.app.get(DataSource).getRepository(Call);
  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

  describe('signatures', () => {
    it.each([
      ['missing', () => undefined],
      [
        'forged with another token',
        (url: string, p: Record<string, string>) =>
          getExpectedTwilioSignature('not-the-token', url, p),
      ],
      [
        'computed for another URL',
        (_url: string, p: Record<string, string>) =>
          getExpectedTwilioSignature(
            TWILIO_AUTH_TOKEN,
            'https://evil.example/telephony/twilio/voice',
            p,
          ),
      ],
      [
        'computed over other parameters',
        (url: string, p: Record<string, string>) =>
          getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, url, { ...p, From: '+15550000000' }),
      ],
    ])('refuses a %s signature with 403 TwiML and stores nothing', async (_case, sign) => {
      const params = voiceParams();
      const signature = sign(`${PUBLIC_BASE_URL}/telephony/twilio/voice`, params);
      const call = request(sut.app.getHttpServer())
        .post('/telephony/twilio/voice')
        .set('content-type', 'application/x-www-form-urlencoded');
      if (signature) void call.set('x-twilio-signature', signature);
      const response = await call.send(form(params));

      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(/^text\/xml/);
      expect(response.text).toMatch(/^<\?xml.*<Response><Say>.*<\/Say><Hangup\/><\/Response>$/);
      expect(await calls().countBy({ providerCallId: params.CallSid })).toBe(0);
    });

    it('accepts a correct signature computed on PUBLIC_BASE_URL, whatever Host the request carries', async () => {
      const params = voiceParams();
      const response = await request(sut.app.getHttpServer())
        .post('/telephony/twilio/voice')
        .set('host', 'internal-pod-10-0-0-7:3000')
        .set('content-type', 'application/x-www-form-urlencoded')
        .set(
          'x-twilio-signature',
          getExpectedTwilioSignature(
            TWILIO_AUTH_TOKEN,
            `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
            params,
          ),
        )
        .send(form(params));

      expect(response.status).toBe(200);
      expect(response.text).toContain('<Connect><Stream');
    });

    it('refuses every Twilio webhook when TWILIO_AUTH_TOKEN is not configured', async () => {
      await sut.close();
      const unconfigured = await createTestApp({ PUBLIC_BASE_URL, TWILIO_AUTH_TOKEN: undefined });
      try {
        const params = voiceParams();
        const response = await request(unconfigured.app.getHttpServer())
          .post('/telephony/twilio/voice')
          .set('content-type', 'application/x-www-form-urlencoded')
          .set(
            'x-twilio-signature',
            getExpectedTwilioSignature(
              TWILIO_AUTH_TOKEN,
              `${PUBLIC_BASE_URL}/telephony/twilio/voice`,
              params,
            ),
          )
          .send(form(params));
        expect(response.status).toBe(403);
      } finally {
        await unconfigured.close();
        sut = await createTestApp({ ...TWILIO_ENV, TWILIO_RATE_LIMIT: '3' }, { listen: true });
      }
    });
  });

  describe('errors', () => {
    it('answers a malformed webhook with apology TwiML, never JSON', async () => {
      const response = await postSignedWebhook(signer(), '/telephony/twilio/voice', {
        CallSid: 'nonsense',
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatch(/<Say>We are sorry, something went wrong.*<\/Say><Hangup\/>/);
    });

    it('the fallback URL apologises and ends a known call as failed', async () => {
      const params = voiceParams();
      await postSignedWebhook(signer(), '/telephony/twilio/voice', params);
      const response = await fallback(params);

      expect(response.status).toBe(200);
      expect(response.body).toMatch(/<Say>.*<\/Say><Hangup\/>/);
      expect(await calls().findOneByOrFail({ providerCallId: params.CallSid })).toMatchObject({
        status: 'failed',
        endReason: 'webhook_fallback',
      });
    });
  });

  describe('status callbacks', () => {
    const status = (callSid: string, callStatus: string, sequence: string) =>
      postSignedWebhook(signer(), '/telephony/twilio/status', {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: callSid,
        CallStatus: callStatus,
        SequenceNumber: sequence,
      });

    it('applies callbacks once, ignores duplicates and records out-of-order ones without moving backwards', async () => {
      const params = voiceParams();
      await postSignedWebhook(signer(), '/telephony/twilio/voice', params);

      await status(params.CallSid, 'in-progress', '1');
      await status(params.CallSid, 'in-progress', '1'); // duplicate delivery
      await status(params.CallSid, 'completed', '3');
      await status(params.CallSid, 'ringing', '0'); // late arrival
      const late = await status(params.CallSid, 'in-progress', '2');
      expect(late.status).toBe(200);

      const call = await calls().findOneByOrFail({ providerCallId: params.CallSid });
      expect(call).toMatchObject({ status: 'completed', endReason: 'completed' });
      expect(call.answeredAt).not.toBeNull();
      const events = await sut.app
        .get(DataSource)
        .getRepository(CallEvent)
        .find({ where: { callId: call.id }, order: { occurredAt: 'ASC' } });
      expect(events.map((event) => event.type)).toEqual([
        'twilio.voice',
        'twilio.status.in-progress',
        'twilio.status.completed',
        'twilio.status.ringing',
        'twilio.status.in-progress',
      ]);
    });

    it('acknowledges callbacks for unknown calls without storing anything', async () => {
      const response = await status(newCallSid(), 'completed', '1');
      expect(response.status).toBe(200);
      expect(response.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });

    it('stores recording callbacks as events, once', async () => {
      const params = voiceParams();
      await postSignedWebhook(signer(), '/telephony/twilio/voice', params);
      const recording = {
        AccountSid: TWILIO_ACCOUNT_SID,
        CallSid: params.CallSid,
        RecordingSid: 'RE123',
        RecordingStatus: 'completed',
        RecordingUrl: 'https://api.twilio.com/rec/RE123',
      };
      await postSignedWebhook(signer(), '/telephony/twilio/recording-status', recording);
      await postSignedWebhook(signer(), '/telephony/twilio/recording-status', recording);

      const call = await calls().findOneByOrFail({ providerCallId: params.CallSid });
      expect(
        await sut.app
          .get(DataSource)
          .getRepository(CallEvent)
          .countBy({ callId: call.id, type: 'twilio.recording.completed' }),
      ).toBe(1);
    });
  });

  describe('rate limit', () => {
    it('rejects a caller over TWILIO_RATE_LIMIT calls a minute with 429 TwiML', async () => {
      const from = uniqueE164();
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await postSignedWebhook(
              signer(),
              '/telephony/twilio/voice',
              voiceParams({ From: from }),
            )
          ).status,
        ).toBe(200);
      }
      const limited = await postSignedWebhook(
        signer(),
        '/telephony/twilio/voice',
        voiceParams({ From: from }),
      );

      expect(limited.status).toBe(429);
      expect(limited.body).toContain('<Reject reason="busy"/>');
      const other = await postSignedWebhook(signer(), '/telephony/twilio/voice', voiceParams());
      expect(other.status).toBe(200);
    });

    it('answers the fallback Twilio fetches after that 429 with busy too, and a failed call still with an apology', async () => {
      const from = uniqueE164();
      let limited = voiceParams({ From: from });
      for (let i = 0; i < 4; i++) {
        limited = voiceParams({ From: from });
        await postSignedWebhook(signer(), '/telephony/twilio/voice', limited);
      }
      // Twilio treats any non-2xx as a failure and asks the fallback URL with the same parameters.
      const busy = await fallback(limited);
      expect(busy.status).toBe(200);
      expect(busy.body).toContain('<Reject reason="busy"/>');
      expect(await calls().findOneBy({ providerCallId: limited.CallSid })).toBeNull();

      const unknown = await fallback(voiceParams());
      expect(unknown.body).toMatch(/<Say>.*<\/Say><Hangup\/>/);
    });
  });
});
