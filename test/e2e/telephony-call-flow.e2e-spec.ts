import request from 'supertest';
import { DataSource } from 'typeorm';
import { placeCall, postSignedWebhook } from '../../scripts/call-simulator/twilio-caller';
import { Call } from '../../src/modules/telephony/calls/call.entity';
import { EspeakTextToSpeech } from '../../src/modules/voice/providers/tts/espeak-text-to-speech';
import { registerAccount, uniqueSlug, type Account } from '../factories/account.factory';
import { createAgent, createPhoneNumber, uniqueE164 } from '../factories/telephony.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import {
  PUBLIC_BASE_URL,
  sharedAudio,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  TWILIO_ENV,
} from '../support/twilio';

describe('Telephony: an inbound Twilio call end to end (e2e)', () => {
  let sut: TestApp;
  let owner: Account;
  let number: { id: string; e164: string };

  beforeAll(async () => {
    // No text-to-speech here: this suite checks the recording-only path; the next one the spoken greeting.
    const operator = uniqueSlug('call-flow');
    sut = await createTestApp(
      { ...TWILIO_ENV, ESPEAK_NG_PATH: '/nonexistent/espeak-ng', OPERATOR_ORGANIZATION: operator },
      { listen: true },
    );
    // Its owner also reads /metrics.
    owner = await registerAccount(sut.app, { organizationSlug: operator });
    const agent = await createAgent(sut.app, owner);
    number = await createPhoneNumber(sut.app, owner, agent.id);
  });
  afterAll(() => sut.close());

  const caller = (overrides: Partial<Parameters<typeof placeCall>[0]> = {}) =>
    placeCall({
      baseUrl: sut.baseUrl,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: TWILIO_AUTH_TOKEN,
      accountSid: TWILIO_ACCOUNT_SID,
      from: uniqueE164(),
      to: number.e164,
      audio: sharedAudio('call-4-turns'),
      speed: 20,
      mediaUrlOverride: `${sut.baseUrl.replace('http', 'ws')}/telephony/twilio/media`,
      ...overrides,
    });
  const callBySid = (sid: string) =>
    sut.app.get(DataSource).getRepository(Call).findOneByOrFail({ providerCallId: sid });

  it('answers TwiML that connects a media stream with a signed token', async () => {
    const result = await caller({ audio: sharedAudio('hello') });

    expect(result.webhookStatus).toBe(200);
    expect(result.twiml).toContain(
      `<Connect><Stream url="wss://switchboard.example.test/telephony/twilio/media">`,
    );
    expect(result.twiml).toMatch(
      /<Parameter name="token" value="[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"\/>/,
    );
    expect(result.twiml).toContain('<Hangup/>');
    expect(result.protocolErrors).toEqual([]);
  });

  const inboundFramesCounted = async () => {
    const metrics = await request(sut.app.getHttpServer())
      .get('/metrics')
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    const line = /switchboard_media_frames_total\{direction="inbound"\} (\d+)/.exec(metrics.text);
    return Number(line?.[1] ?? 0);
  };

  it('records the call, its caller, 4 caller turns and its events, and ends it cleanly', async () => {
    const from = uniqueE164();
    const framesBefore = await inboundFramesCounted();
    const result = await caller({ from });
    expect(result.closedBy).toBe('caller');

    const call = await waitFor(
      () => callBySid(result.callSid),
      (c) => c.endedAt !== null,
    );
    // Counted in batches while the stream runs; the last, partial batch when it ends.
    expect(result.framesSent).toBeGreaterThan(200);
    const framesAfter = await waitFor(
      inboundFramesCounted,
      (n) => n >= framesBefore + result.framesSent,
    );
    expect(framesAfter - framesBefore).toBe(result.framesSent);
    expect(call).toMatchObject({
      organizationId: owner.organizationId,
      direction: 'inbound',
      fromNumber: from,
      toNumber: number.e164,
      status: 'completed',
      endReason: 'stream_stopped',
      turnCount: 4,
    });
    expect(call.answeredAt).not.toBeNull();
    expect(call.durationSeconds).toBeGreaterThanOrEqual(0);

    const detail = await request(sut.app.getHttpServer())
      .get(`/api/v1/calls/${call.id}`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    expect(
      detail.body.turns.map((turn: { index: number; role: string }) => [turn.index, turn.role]),
    ).toEqual([
      [0, 'caller'],
      [1, 'caller'],
      [2, 'caller'],
      [3, 'caller'],
    ]);
    expect(detail.body.turns[0]).toMatchObject({ text: null, metadata: { transcribed: false } });
    const types = detail.body.events.map((event: { type: string }) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'twilio.voice',
        'stream.started',
        'agent.first_message_not_spoken',
        'stream.ended',
      ]),
    );

    const customer = await request(sut.app.getHttpServer())
      .get(`/api/v1/customers/${call.customerId}`)
      .set('authorization', `Bearer ${owner.accessToken}`)
      .expect(200);
    expect(customer.body.phone).toBe(from);
  });

  it('says a polite goodbye for an unknown number, without recording a call', async () => {
    const result = await caller({ to: uniqueE164() });

    expect(result.webhookStatus).toBe(200);
    expect(result.twiml).toMatch(/<Say>.*not in service.*<\/Say><Hangup\/>/);
    expect(result.streamUrl).toBeUndefined();
    expect(
      await sut.app.get(DataSource).getRepository(Call).countBy({ providerCallId: result.callSid }),
    ).toBe(0);
  });

  it('resumes the same call when Twilio retries the voice webhook', async () => {
    const params = {
      AccountSid: TWILIO_ACCOUNT_SID,
      CallSid: `CA${'b2'.repeat(16)}`,
      CallStatus: 'ringing',
      From: uniqueE164(),
      To: number.e164,
    };
    const options = {
      baseUrl: sut.baseUrl,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: TWILIO_AUTH_TOKEN,
    };
    const first = await postSignedWebhook(options, '/telephony/twilio/voice', params);
    const second = await postSignedWebhook(options, '/telephony/twilio/voice', params);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(
      await sut.app.get(DataSource).getRepository(Call).countBy({ providerCallId: params.CallSid }),
    ).toBe(1);
  });
});

const ESPEAK = EspeakTextToSpeech.detect('espeak-ng');

(ESPEAK ? describe : describe.skip)(
  'Telephony: the greeting without a conversation model (e2e, espeak-ng)',
  () => {
    it('speaks the agent’s first message with the local voice and records it as an agent turn', async () => {
      const sut = await createTestApp(TWILIO_ENV, { listen: true });
      try {
        const owner = await registerAccount(sut.app);
        const agent = await createAgent(sut.app, owner, {
          firstMessage: 'Hello, thanks for calling Acme.',
        });
        const number = await createPhoneNumber(sut.app, owner, agent.id);
        const result = await placeCall({
          baseUrl: sut.baseUrl,
          publicBaseUrl: PUBLIC_BASE_URL,
          authToken: TWILIO_AUTH_TOKEN,
          accountSid: TWILIO_ACCOUNT_SID,
          from: uniqueE164(),
          to: number.e164,
          audio: sharedAudio('hello'),
          speed: 4,
          mediaUrlOverride: `${sut.baseUrl.replace('http', 'ws')}/telephony/twilio/media`,
        });

        expect(result.receivedAudio.length / 8000).toBeGreaterThan(1); // about two seconds of espeak-ng
        const call = await waitFor(
          () =>
            sut.app
              .get(DataSource)
              .getRepository(Call)
              .findOneByOrFail({ providerCallId: result.callSid }),
          (c) => c.endedAt !== null,
        );
        const detail = await request(sut.app.getHttpServer())
          .get(`/api/v1/calls/${call.id}`)
          .set('authorization', `Bearer ${owner.accessToken}`)
          .expect(200);
        expect(detail.body.turns[0]).toMatchObject({
          role: 'agent',
          text: 'Hello, thanks for calling Acme.',
          metadata: { tts: 'local', firstMessage: true },
        });
      } finally {
        await sut.close();
      }
    });
  },
);
