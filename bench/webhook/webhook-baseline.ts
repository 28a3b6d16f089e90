/**
 * The webhook baseline: bare Fastify + pg doing what Switchboard's voice webhook does, and nothing else:
 * verify the Twilio signature, find the number's agent, upsert the customer, insert the call and its event,
 * answer the same `<Connect><Stream>` TwiML with an HMAC stream token. No framework, no logging, no metrics.
 */
import Fastify from 'fastify';
import { createHmac } from 'node:crypto';
import { Pool } from 'pg';
import { twiml, validateRequest } from 'twilio';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const authToken = env('TWILIO_AUTH_TOKEN');
const publicBaseUrl = env('PUBLIC_BASE_URL');
const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 10 });
const tokenKey = Buffer.from('baseline-stream-token-key');
const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
);

app.post('/telephony/twilio/voice', async (request, reply) => {
  const params = request.body as Record<string, string>;
  const signature = request.headers['x-twilio-signature'];
  if (
    typeof signature !== 'string' ||
    !validateRequest(authToken, signature, `${publicBaseUrl}/telephony/twilio/voice`, params)
  ) {
    return reply.code(403).type('text/xml').send(new twiml.VoiceResponse().toString());
  }
  const number = await pool.query<{ organization_id: string; agent_id: string }>(
    `SELECT number.organization_id, number.agent_id FROM phone_numbers number
     JOIN agents agent ON agent.id = number.agent_id
     WHERE number.e164 = $1 AND number.enabled`,
    [params.To],
  );
  const target = number.rows[0];
  if (!target) return reply.code(200).type('text/xml').send(new twiml.VoiceResponse().toString());
  const now = new Date();
  const customer = await pool.query<{ id: string }>(
    `INSERT INTO customers (organization_id, phone, first_seen_at, last_seen_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT (organization_id, phone) DO UPDATE SET last_seen_at = GREATEST(customers.last_seen_at, EXCLUDED.last_seen_at)
     RETURNING id`,
    [target.organization_id, params.From, now],
  );
  const call = await pool.query<{ id: string }>(
    `INSERT INTO calls (organization_id, provider, provider_call_id, direction, from_number, to_number, agent_id,
                        customer_id, status, started_at)
     VALUES ($1, 'twilio', $2, 'inbound', $3, $4, $5, $6, 'ringing', $7)
     ON CONFLICT (provider, provider_call_id) DO NOTHING RETURNING id`,
    [
      target.organization_id,
      params.CallSid,
      params.From,
      params.To,
      target.agent_id,
      customer.rows[0].id,
      now,
    ],
  );
  const callId = call.rows[0]?.id;
  if (!callId) return reply.code(200).type('text/xml').send(new twiml.VoiceResponse().toString());
  await pool.query(
    `INSERT INTO call_events (call_id, organization_id, type, payload, dedupe_key, occurred_at)
     VALUES ($1, $2, 'twilio.voice', $3, $4, $5) ON CONFLICT DO NOTHING`,
    [callId, target.organization_id, JSON.stringify(params), `twilio.voice:${params.CallSid}`, now],
  );
  const body = Buffer.from(
    JSON.stringify({
      c: callId,
      o: target.organization_id,
      p: params.CallSid,
      e: Math.floor(Date.now() / 1000) + 120,
    }),
  ).toString('base64url');
  const token = `${body}.${createHmac('sha256', tokenKey).update(body).digest('base64url')}`;
  const response = new twiml.VoiceResponse();
  const stream = response
    .connect()
    .stream({ url: `${publicBaseUrl.replace(/^http/, 'ws')}/telephony/twilio/media` });
  stream.parameter({ name: 'token', value: token });
  stream.parameter({ name: 'callId', value: callId });
  response.hangup();
  return reply.code(200).type('text/xml').send(response.toString());
});

app.listen({ port: Number(env('PORT')), host: '127.0.0.1' }).then(
  () => process.stdout.write(`${JSON.stringify({ ready: true })}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
