import * as path from 'node:path';
import { readMulawWav } from '../../src/modules/voice/audio/wav';

export const TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0123456789';
export const TWILIO_ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const PUBLIC_BASE_URL = 'https://switchboard.example.test';

/** Environment that makes an app accept webhooks signed for PUBLIC_BASE_URL with the test token. */
export const TWILIO_ENV = {
  TWILIO_AUTH_TOKEN,
  TWILIO_ACCOUNT_SID,
  PUBLIC_BASE_URL,
};

export const SHARED_AUDIO = path.join(__dirname, '..', '..', '..', 'shared', 'audio');

export function sharedAudio(name: string): Buffer {
  return readMulawWav(path.join(SHARED_AUDIO, `${name}.ulaw.wav`));
}
