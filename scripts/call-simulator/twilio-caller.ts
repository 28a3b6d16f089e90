import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import WebSocket from 'ws';

export interface CallerOptions {
  /** Where Switchboard listens, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** The URL Twilio would have been given (Switchboard's PUBLIC_BASE_URL): the signature covers it. */
  publicBaseUrl: string;
  authToken: string;
  accountSid: string;
  from: string;
  to: string;
  /** Caller audio, 8 kHz mu-law. */
  audio: Buffer;
  /** Pace of the caller's audio: 1 is real time (a frame every 20 ms, as Twilio sends), 10 is ten times faster. */
  speed: number;
  /** Connect to this media URL instead of the one in the TwiML (e.g. when PUBLIC_BASE_URL is not reachable). */
  mediaUrlOverride?: string;
  /** Silence to keep the stream open after the audio, before hanging up. */
  tailMs?: number;
  /** Keypad digits the caller presses, at these offsets into the audio. */
  dtmf?: { atMs: number; digit: string }[];
  callSid?: string;
  onEvent?: (event: CallerEvent) => void;
}

export type CallerEvent =
  | { kind: 'twiml'; status: number; twiml: string }
  | { kind: 'connected'; streamUrl: string }
  | { kind: 'mark'; name: string; afterMs: number }
  | { kind: 'agent_audio'; bytes: number }
  | { kind: 'frame_sent'; index: number }
  | { kind: 'clear' }
  | { kind: 'closed'; code: number; reason: string; by: 'server' | 'caller' };

export interface CallerResult {
  callSid: string;
  webhookStatus: number;
  twiml: string;
  streamUrl?: string;
  framesSent: number;
  framesReceived: number;
  receivedAudio: Buffer;
  marks: string[];
  clears: number;
  closedBy?: 'server' | 'caller';
  closeCode?: number;
  closeReason?: string;
  /** Everything that broke Twilio's protocol; a correct server leaves this empty. */
  protocolErrors: string[];
}

const FRAME_BYTES = 160;
const FRAME_MS = 20;

export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** Posts a form to a Twilio webhook of Switchboard, signed exactly as Twilio signs it. */
export async function postSignedWebhook(
  options: Pick<CallerOptions, 'baseUrl' | 'publicBaseUrl' | 'authToken'>,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const signature = getExpectedTwilioSignature(
    options.authToken,
    options.publicBaseUrl + path,
    params,
  );
  const response = await fetch(options.baseUrl + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: await response.text() };
}

/** The `<Stream url>` and its `<Parameter>`s in a TwiML document. */
export function parseStreamTwiml(
  twiml: string,
): { url: string; parameters: Record<string, string> } | undefined {
  const stream = /<Stream url="([^"]+)"/.exec(twiml);
  if (!stream) return undefined;
  const parameters: Record<string, string> = {};
  for (const match of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) {
    parameters[unescapeXml(match[1])] = unescapeXml(match[2]);
  }
  return { url: unescapeXml(stream[1]), parameters };
}

function unescapeXml(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Places one simulated Twilio call: the signed voice webhook, then the media stream from its TwiML, speaking
 * Twilio's protocol. Marks are echoed when the audio queued before them would have finished playing; `clear`
 * drops the queued audio and echoes its marks, as Twilio does.
 */
export async function placeCall(options: CallerOptions): Promise<CallerResult> {
  const callSid = options.callSid ?? newCallSid();
  const result: CallerResult = {
    callSid,
    webhookStatus: 0,
    twiml: '',
    framesSent: 0,
    framesReceived: 0,
    receivedAudio: Buffer.alloc(0),
    marks: [],
    clears: 0,
    protocolErrors: [],
  };
  const webhook = await postSignedWebhook(options, '/telephony/twilio/voice', {
    AccountSid: options.accountSid,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Direction: 'inbound',
    From: options.from,
    To: options.to,
  });
  result.webhookStatus = webhook.status;
  result.twiml = webhook.body;
  options.onEvent?.({ kind: 'twiml', status: webhook.status, twiml: webhook.body });
  const stream = parseStreamTwiml(webhook.body);
  if (!stream) return result;
  result.streamUrl = stream.url;
  await streamAudio(
    options,
    callSid,
    options.mediaUrlOverride ?? stream.url,
    stream.parameters,
    result,
  );
  return result;
}

async function streamAudio(
  options: CallerOptions,
  callSid: string,
  url: string,
  parameters: Record<string, string>,
  result: CallerResult,
): Promise<void> {
  const socket = new WebSocket(url);
  const streamSid = `MZ${randomBytes(16).toString('hex')}`;
  const received: Buffer[] = [];
  // Playback model: audio queued for the caller plays out in real time from `playheadMs`.
  let playheadMs = Date.now();
  const markTimers = new Map<string, NodeJS.Timeout>();
  let sequence = 1;
  let closed = false;
  let lastReceivedAt = 0;

  const closedPromise = new Promise<void>((resolve) => {
    socket.on('close', (code, reason) => {
      closed = true;
      for (const timer of markTimers.values()) clearTimeout(timer);
      result.closeCode = code;
      result.closeReason = reason.toString();
      result.closedBy ??= 'server';
      options.onEvent?.({ kind: 'closed', code, reason: result.closeReason, by: result.closedBy });
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  options.onEvent?.({ kind: 'connected', streamUrl: url });

  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      result.protocolErrors.push('server sent a binary frame (Twilio error 31950)');
      return;
    }
    let message: {
      event?: string;
      streamSid?: string;
      media?: { payload?: string };
      mark?: { name?: string };
    };
    try {
      message = JSON.parse((data as Buffer).toString('utf8')) as typeof message;
    } catch {
      result.protocolErrors.push('server sent a frame that is not JSON');
      return;
    }
    if (message.streamSid !== streamSid)
      result.protocolErrors.push(`message for another stream: ${message.streamSid}`);
    switch (message.event) {
      case 'media': {
        const audio = Buffer.from(message.media?.payload ?? '', 'base64');
        // A new stretch of agent speech: the first frame after a quiet spell.
        if (Date.now() - lastReceivedAt > 300)
          options.onEvent?.({ kind: 'agent_audio', bytes: audio.length });
        lastReceivedAt = Date.now();
        received.push(audio);
        result.framesReceived++;
        playheadMs = Math.max(playheadMs, Date.now()) + (audio.length / 8000) * 1000;
        return;
      }
      case 'mark': {
        const name = message.mark?.name ?? '';
        const delay = Math.max(0, playheadMs - Date.now());
        markTimers.set(
          name,
          setTimeout(() => {
            markTimers.delete(name);
            if (closed) return;
            result.marks.push(name);
            options.onEvent?.({ kind: 'mark', name, afterMs: delay });
            socket.send(
              JSON.stringify({
                event: 'mark',
                sequenceNumber: String(sequence++),
                streamSid,
                mark: { name },
              }),
            );
          }, delay),
        );
        return;
      }
      case 'clear':
        result.clears++;
        options.onEvent?.({ kind: 'clear' });
        playheadMs = Date.now();
        for (const [name, timer] of markTimers) {
          clearTimeout(timer);
          markTimers.delete(name);
          result.marks.push(name);
          socket.send(
            JSON.stringify({
              event: 'mark',
              sequenceNumber: String(sequence++),
              streamSid,
              mark: { name },
            }),
          );
        }
        return;
      case undefined:
      default:
        result.protocolErrors.push(`unknown event from server: ${String(message.event)}`);
    }
  });

  const send = (message: object) => {
    if (!closed) socket.send(JSON.stringify(message));
  };
  send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  send({
    event: 'start',
    sequenceNumber: String(sequence++),
    streamSid,
    start: {
      streamSid,
      accountSid: options.accountSid,
      callSid,
      tracks: ['inbound'],
      customParameters: parameters,
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });

  const startedAt = Date.now();
  const silence = Buffer.alloc(FRAME_BYTES, 0xff);
  const tailFrames = Math.ceil((options.tailMs ?? 1000) / FRAME_MS);
  const totalFrames = Math.ceil(options.audio.length / FRAME_BYTES) + tailFrames;
  for (let frame = 0; frame < totalFrames && !closed; frame++) {
    const offset = frame * FRAME_BYTES;
    const chunk =
      offset < options.audio.length
        ? options.audio.subarray(offset, offset + FRAME_BYTES)
        : silence;
    send({
      event: 'media',
      sequenceNumber: String(sequence++),
      streamSid,
      media: {
        track: 'inbound',
        chunk: String(frame + 1),
        timestamp: String(frame * FRAME_MS),
        payload: chunk.toString('base64'),
      },
    });
    result.framesSent++;
    options.onEvent?.({ kind: 'frame_sent', index: frame });
    for (const press of options.dtmf ?? []) {
      if (Math.floor(press.atMs / FRAME_MS) === frame) {
        send({
          event: 'dtmf',
          streamSid,
          sequenceNumber: String(sequence++),
          dtmf: { track: 'inbound_track', digit: press.digit },
        });
      }
    }
    const due = startedAt + ((frame + 1) * FRAME_MS) / options.speed;
    const wait = due - Date.now();
    if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (frame % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  if (!closed) {
    result.closedBy = 'caller';
    send({
      event: 'stop',
      sequenceNumber: String(sequence++),
      streamSid,
      stop: { accountSid: options.accountSid, callSid },
    });
    socket.close(1000, 'caller hung up');
  }
  await closedPromise;
  result.receivedAudio = Buffer.concat(received);
}
