/**
 * Load generator for the webhook benchmark, run as its own process: autocannon POSTs Twilio voice webhooks,
 * each with a new CallSid and caller and a valid X-Twilio-Signature, and prints one JSON summary line.
 * Usage: webhook-load.ts <target url> <to number> <connections> <seconds>
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

const [target, to, connections, seconds] = process.argv.slice(2);
const authToken = process.env.TWILIO_AUTH_TOKEN!;
const publicBaseUrl = process.env.PUBLIC_BASE_URL!;
const accountSid = process.env.TWILIO_ACCOUNT_SID!;
const path = '/telephony/twilio/voice';

function nextRequest(request: autocannon.Request): autocannon.Request {
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: '2010-04-01',
    CallSid: `CA${randomBytes(16).toString('hex')}`,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: `+1${2000000000 + Math.floor(Math.random() * 7999999999)}`.slice(0, 12),
    To: to,
  };
  return {
    ...request,
    method: 'POST',
    path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': getExpectedTwilioSignature(
        authToken,
        `${publicBaseUrl}${path}`,
        params,
      ),
    },
    body: new URLSearchParams(params).toString(),
  };
}

const instance = autocannon(
  {
    url: target,
    connections: Number(connections),
    duration: Number(seconds),
    requests: [{ setupRequest: nextRequest }],
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    }
    process.stdout.write(
      `${JSON.stringify({
        requests: result.requests.total,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      })}\n`,
    );
  },
);
process.on('SIGTERM', () => instance.stop());
