import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Endpointer } from '../../src/modules/voice/turns/endpointer';
import { CallerResult, placeCall } from './twilio-caller';
import { readMulawWav, writeMulawWav } from '../../src/modules/voice/audio/wav';

const HELP = `npm run call:simulate -- [options]

Places simulated Twilio calls against a running Switchboard, speaking Twilio's real webhook and Media
Streams protocols.

  --base-url URL        where Switchboard listens            (default http://127.0.0.1:$PORT or :3000)
  --public-base-url URL the PUBLIC_BASE_URL Switchboard signs with (default $PUBLIC_BASE_URL or --base-url)
  --auth-token TOKEN    Twilio auth token to sign with        (default $TWILIO_AUTH_TOKEN)
  --account-sid SID     (default $TWILIO_ACCOUNT_SID or a test SID)
  --from E164           the caller's number                  (default +15005550006)
  --to E164             the dialled Switchboard number        (required)
  --audio FILE          8 kHz mu-law WAV the caller speaks    (default ../shared/audio/call-4-turns.ulaw.wav)
  --speed X             pace of the caller's audio, 1 = real time (default 1)
  --out DIR             where to save what the agent said     (default ./data/simulated-calls)
  --calls N             calls to place                        (default 1)
  --concurrency C       calls at once                         (default 1)
  --json                print one JSON summary instead of the live view
Exits non-zero on a protocol error or a call that could not connect.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'base-url': { type: 'string' },
      'public-base-url': { type: 'string' },
      'auth-token': { type: 'string' },
      'account-sid': { type: 'string' },
      from: { type: 'string', default: '+15005550006' },
      to: { type: 'string' },
      audio: { type: 'string' },
      speed: { type: 'string', default: '1' },
      out: { type: 'string', default: './data/simulated-calls' },
      calls: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const baseUrl = values['base-url'] ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  const authToken = values['auth-token'] ?? process.env.TWILIO_AUTH_TOKEN;
  if (!values.to || !authToken) {
    console.error(
      `${!values.to ? '--to' : '--auth-token (or TWILIO_AUTH_TOKEN)'} is required.\n\n${HELP}`,
    );
    return 2;
  }
  const audioPath =
    values.audio ??
    path.join(__dirname, '..', '..', '..', 'shared', 'audio', 'call-4-turns.ulaw.wav');
  if (!existsSync(audioPath)) {
    console.error(`No audio file at ${audioPath}; pass --audio FILE (8 kHz mu-law WAV).`);
    return 2;
  }
  const audio = readMulawWav(audioPath);
  const calls = Math.max(1, Number(values.calls));
  const concurrency = Math.max(1, Math.min(calls, Number(values.concurrency)));
  const live = !values.json && calls === 1;
  const log = (line: string) => live && console.log(line);

  const results: CallerResult[] = [];
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < calls) {
      next++;
      const speech = utterancesOf(audio);
      let lastTurnEndedAt: number | undefined;
      const callStart = Date.now();
      const result = await placeCall({
        baseUrl,
        publicBaseUrl: values['public-base-url'] ?? process.env.PUBLIC_BASE_URL ?? baseUrl,
        authToken,
        accountSid:
          values['account-sid'] ?? process.env.TWILIO_ACCOUNT_SID ?? `AC${'0'.repeat(32)}`,
        from: values.from,
        to: values.to!,
        audio,
        speed: Math.max(0.1, Number(values.speed) || 1),
        onEvent: (event) => {
          const at = ((Date.now() - callStart) / 1000).toFixed(2).padStart(6);
          switch (event.kind) {
            case 'twiml':
              return log(
                `${at}s  webhook answered ${event.status}: ${summarizeTwiml(event.twiml)}`,
              );
            case 'connected':
              return log(`${at}s  media stream open: ${event.streamUrl}`);
            case 'frame_sent': {
              const ms = event.index * 20;
              const turn = speech.findIndex((u) => u.startMs === ms || u.endMs === ms);
              if (turn === -1) return;
              if (speech[turn].startMs === ms)
                return log(`${at}s  caller turn ${turn + 1} starts speaking`);
              lastTurnEndedAt = Date.now();
              return log(`${at}s  caller turn ${turn + 1} stops speaking`);
            }
            case 'agent_audio': {
              const latency =
                lastTurnEndedAt === undefined
                  ? ''
                  : ` (${Date.now() - lastTurnEndedAt} ms after the caller stopped)`;
              return log(`${at}s  agent starts speaking${latency}`);
            }
            case 'mark':
              return log(`${at}s  agent audio played to mark "${event.name}"`);
            case 'clear':
              return log(`${at}s  agent cleared its audio (barge-in)`);
            case 'closed':
              return log(`${at}s  stream closed by ${event.by} (${event.code} ${event.reason})`);
          }
        },
      });
      results.push(result);
      if (result.receivedAudio.length > 0) {
        mkdirSync(values.out, { recursive: true });
        const file = path.join(values.out, `${result.callSid}.wav`);
        writeFileSync(file, writeMulawWav(result.receivedAudio));
        log(
          `        saved what the agent said (${(result.receivedAudio.length / 8000).toFixed(1)} s) to ${file}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const failed = results.filter((result) => !result.streamUrl || result.protocolErrors.length > 0);
  const summary = {
    calls: results.length,
    connected: results.filter((result) => result.streamUrl).length,
    failed: failed.length,
    seconds: (Date.now() - started) / 1000,
    framesSent: results.reduce((sum, result) => sum + result.framesSent, 0),
    framesReceived: results.reduce((sum, result) => sum + result.framesReceived, 0),
    protocolErrors: failed.flatMap((result) => result.protocolErrors).slice(0, 20),
  };
  if (values.json) console.log(JSON.stringify(summary));
  else
    console.log(
      `\n${summary.connected}/${summary.calls} connected, ${summary.failed} failed, ${summary.framesSent} frames sent, ${summary.framesReceived} received in ${summary.seconds.toFixed(1)} s`,
    );
  for (const error of summary.protocolErrors) console.error(`protocol error: ${error}`);
  for (const result of failed.filter((r) => !r.streamUrl)) {
    console.error(
      `call ${result.callSid} did not connect (HTTP ${result.webhookStatus}): ${summarizeTwiml(result.twiml)}`,
    );
  }
  return failed.length > 0 ? 1 : 0;
}

function utterancesOf(audio: Buffer) {
  const found: { startMs: number; endMs: number }[] = [];
  const endpointer = new Endpointer((utterance) => found.push(utterance));
  for (let offset = 0; offset + 160 <= audio.length; offset += 160)
    endpointer.push(audio.subarray(offset, offset + 160));
  endpointer.flush();
  return found;
}

function summarizeTwiml(twiml: string): string {
  return twiml
    .replace(/<\?xml[^>]*>/, '')
    .replace(/value="[^"]{24,}"/g, 'value="…"')
    .slice(0, 200);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`call simulator failed: ${(error as Error).message}`);
    process.exit(1);
  },
);
