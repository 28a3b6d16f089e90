import request from 'supertest';
import { DataSource } from 'typeorm';
import {
  placeCall,
  type CallerOptions,
  type CallerResult,
} from '../../scripts/call-simulator/twilio-caller';
import { Call } from '../../src/modules/telephony/calls/call.entity';
import type { Account } from '../factories/account.factory';
import type { TestApp } from './test-app';
import { PUBLIC_BASE_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from './twilio';
import { waitFor } from './wait-for';

export interface TurnView {
  callId: string;
  index: number;
  role: string;
  text: string | null;
  interrupted: boolean;
  sentiment: number | null;
  latency: Record<string, number>;
  metadata: Record<string, unknown>;
}

export interface CallOutcome {
  result: CallerResult;
  call: Call & { customerId: string | null; variantId: string | null };
  turns: TurnView[];
  events: { type: string; payload: Record<string, unknown> }[];
}

/**
 * Places a simulated Twilio call to `to` (real time, real media stream), waits until the call has ended, and
 * returns what the dashboard API says about it.
 */
export async function callAndWait(
  sut: TestApp,
  owner: Account,
  options: Pick<CallerOptions, 'from' | 'to' | 'audio'> & Partial<CallerOptions>,
): Promise<CallOutcome> {
  const result = await placeCall({
    baseUrl: sut.baseUrl,
    publicBaseUrl: PUBLIC_BASE_URL,
    authToken: TWILIO_AUTH_TOKEN,
    accountSid: TWILIO_ACCOUNT_SID,
    speed: 1, // real time: endpointing, barge-in and marks depend on it
    tailMs: 1500,
    mediaUrlOverride: `${sut.baseUrl.replace('http', 'ws')}/telephony/twilio/media`,
    ...options,
  });
  const stored = await waitFor(
    () =>
      sut.app
        .get(DataSource)
        .getRepository(Call)
        .findOneByOrFail({ providerCallId: result.callSid }),
    (call) => call.endedAt !== null,
  );
  const detail = await request(sut.app.getHttpServer())
    .get(`/api/v1/calls/${stored.id}`)
    .set('authorization', `Bearer ${owner.accessToken}`)
    .expect(200);
  return {
    result,
    call: detail.body.call as CallOutcome['call'],
    turns: detail.body.turns as TurnView[],
    events: detail.body.events as CallOutcome['events'],
  };
}
