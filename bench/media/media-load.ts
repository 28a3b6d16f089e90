/**
 * Load generator for the media benchmark, run as its own process: N simulated Twilio calls, each a signed voice
 * webhook then a Media Stream sending real 8 kHz mu-law speech (looped, each caller starting at its own point of
 * the recording) at real-time pace, 50 frames a second,
 * echoing marks once their audio would have played, as Twilio does. Prints one JSON summary line.
 * Usage: media-load.ts <base url> <switchboard|baseline> <calls> <seconds> [to number]
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import WebSocket from 'ws';
import { parseStreamTwiml, postSignedWebhook } from '../../scripts/call-simulator/twilio-caller';
import { readMulawWav } from '../../src/modules/voice/audio/wav';
import { percentile } from '../lib/stats';

const [baseUrl, mode, callsArg, secondsArg, to] = process.argv.slice(2);
const calls = Number(callsArg);
const seconds = Number(secondsArg);
const FRAME_MS = 20;
const PHASES = 4;
const audio = readMulawWav(
  path.join(__dirname, '..', '..', '..', 'shared', 'audio', 'call-4-turns.ulaw.wav'),
);
const payloads: string[] = [];
for (let offset = 0; offset + 160 <= audio.length; offset += 160) {
  payloads.push(audio.subarray(offset, offset + 160).toString('base64'));
}

interface Stream {
  socket: WebSocket;
  sid: string;
  sequence: number;
  /** Where in the recording this caller starts: callers do not all speak the same words in the same instant. */
  audioOffset: number;
  /** When the audio sent to us so far will have finished playing (ms, wall clock). */
  playsUntil: number;
  open: boolean;
}

const streams: Stream[] = [];
let sent = 0;
let received = 0;
let failures = 0;
const lateness: number[] = [];

async function openStream(index: number): Promise<void> {
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  let url = `${baseUrl.replace(/^http/, 'ws')}/telephony/twilio/media`;
  let parameters: Record<string, string> = {};
  if (mode === 'switchboard') {
    const from = `+1628${String(1000000 + index).slice(-7)}`;
    const webhook = await postSignedWebhook(
      {
        baseUrl,
        publicBaseUrl: process.env.PUBLIC_BASE_URL!,
        authToken: process.env.TWILIO_AUTH_TOKEN!,
      },
      '/telephony/twilio/voice',
      {
        AccountSid: process.env.TWILIO_ACCOUNT_SID!,
        CallSid: callSid,
        CallStatus: 'ringing',
        Direction: 'inbound',
        From: from,
        To: to,
      },
    );
    const stream = parseStreamTwiml(webhook.body);
    if (!stream) throw new Error(`no <Stream> in the answer (HTTP ${webhook.status})`);
    url = `${baseUrl.replace(/^http/, 'ws')}${new URL(stream.url).pathname}`;
    parameters = stream.parameters;
  }
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    // A zero masking key: ws then leaves payloads as they are (XOR with zeros) and draws no random bytes per
    // message. Twilio masks on its own machines; here the generator shares the cores with the server it loads.
    generateMask: (mask) => mask.fill(0),
  });
  const stream: Stream = {
    socket,
    sid: `MZ${randomBytes(16).toString('hex')}`,
    sequence: 0,
    audioOffset: Math.floor((index / calls) * payloads.length),
    playsUntil: 0,
    open: false,
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.on('message', (data: Buffer) => {
    received++;
    const message = JSON.parse(data.toString('utf8')) as {
      event: string;
      media?: { payload: string };
      mark?: { name: string };
    };
    const now = Date.now();
    if (message.event === 'media' && message.media) {
      stream.playsUntil =
        Math.max(stream.playsUntil, now) + Buffer.byteLength(message.media.payload, 'base64') / 8;
    } else if (message.event === 'mark' && message.mark) {
      const name = message.mark.name;
      setTimeout(
        () => {
          if (socket.readyState === socket.OPEN) {
            socket.send(JSON.stringify({ event: 'mark', streamSid: stream.sid, mark: { name } }));
          }
        },
        Math.max(0, stream.playsUntil - now),
      );
    } else if (message.event === 'clear') {
      stream.playsUntil = now;
    }
  });
  socket.on('close', () => (stream.open = false));
  socket.on('error', () => undefined);
  socket.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  socket.send(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      streamSid: stream.sid,
      start: {
        streamSid: stream.sid,
        accountSid: process.env.TWILIO_ACCOUNT_SID,
        callSid,
        tracks: ['inbound'],
        customParameters: parameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    }),
  );
  stream.open = true;
  streams.push(stream);
}

async function main(): Promise<void> {
  // Calls arrive over two seconds, as they would, not all in one instant.
  const opening: Promise<void>[] = [];
  for (let i = 0; i < calls; i++) {
    opening.push(openStream(i).catch(() => void failures++));
    if (i % 10 === 9)
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, 2000 / (calls / 10))));
  }
  await Promise.all(opening);
  const started = Date.now();
  const deadline = started + seconds * 1000;
  let tick = 0;
  // One timer for all streams, scheduled against the wall clock so it never drifts. Each stream keeps its own
  // 20 ms cadence, but the streams are spread over PHASES instants of that period, as independent calls are,
  // rather than all landing on the server in the same millisecond.
  const slotMs = FRAME_MS / PHASES;
  await new Promise<void>((resolve) => {
    const step = () => {
      const now = Date.now();
      lateness.push(now - (started + tick * slotMs));
      const phase = tick % PHASES;
      for (let index = phase; index < streams.length; index += PHASES) {
        const stream = streams[index];
        if (!stream.open) continue;
        const n = stream.sequence++;
        stream.socket.send(
          `{"event":"media","sequenceNumber":"${n + 2}","media":{"track":"inbound","chunk":"${n + 1}","timestamp":"${n * FRAME_MS}","payload":"${payloads[(stream.audioOffset + n) % payloads.length]}"},"streamSid":"${stream.sid}"}`,
        );
        sent++;
      }
      tick++;
      if (now >= deadline && phase === PHASES - 1) return resolve();
      setTimeout(step, Math.max(0, started + tick * slotMs - Date.now()));
    };
    step();
  });
  // Streams the server closed while they were sending (before `stop`).
  const dropouts = streams.filter((stream) => !stream.open).length;
  for (const stream of streams) {
    if (stream.open)
      stream.socket.send(JSON.stringify({ event: 'stop', streamSid: stream.sid, stop: {} }));
  }
  // A graceful close flushes what is still buffered; a reset would lose it.
  await Promise.all(
    streams.map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (stream.socket.readyState === stream.socket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            stream.socket.terminate();
            resolve();
          }, 5000);
          stream.socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          stream.socket.close();
        }),
    ),
  );
  process.stdout.write(
    `${JSON.stringify({
      calls,
      connected: streams.length,
      failures,
      sent,
      received,
      dropouts,
      senderLatenessP99: percentile(lateness, 99),
    })}\n`,
  );
  process.exit(0);
}

void main();
