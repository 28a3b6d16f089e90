import * as path from 'node:path';
import { encodeMulaw, MULAW_DECODE_TABLE } from '../audio/mulaw';
import { readMulawWav } from '../audio/wav';
import { Endpointer, Utterance } from './endpointer';
import { SpectralVad } from './spectral-vad';

const SHARED_AUDIO = path.join(__dirname, '..', '..', '..', '..', '..', 'shared', 'audio');
const hello = () => readMulawWav(path.join(SHARED_AUDIO, 'hello.ulaw.wav'));

/** Deterministic white noise at a given RMS (16-bit scale). */
function noise(samples: number, rms: number, seed = 7): Int16Array {
  let state = seed;
  return Int16Array.from({ length: samples }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.round((state / 2147483648 - 0.5) * rms * Math.sqrt(12));
  });
}

function utterances(audio: Buffer, detector: 'spectral' | 'energy'): Utterance[] {
  const found: Utterance[] = [];
  const sut = new Endpointer((utterance) => found.push(utterance), {
    detector,
    speechThreshold: 300,
    endSilenceMs: 600,
    minSpeechMs: 200,
    frameMs: 20,
  });
  for (let offset = 0; offset + 160 <= audio.length; offset += 160)
    sut.push(audio.subarray(offset, offset + 160));
  sut.flush();
  return found;
}

describe(SpectralVad.name, () => {
  it('ignores loud steady hiss that an energy detector takes for speech', () => {
    const hiss = encodeMulaw(noise(8000 * 3, 3000));

    expect(utterances(hiss, 'energy').length).toBeGreaterThan(0);
    expect(utterances(hiss, 'spectral')).toEqual([]);
  });

  it('still finds speech spoken over a noisy line', () => {
    const speech = hello();
    const background = noise(8000 + speech.length + 8000, 600);
    const mixed = encodeMulaw(
      Int16Array.from(background, (value, i) =>
        i >= 8000 && i < 8000 + speech.length
          ? value + MULAW_DECODE_TABLE[speech[i - 8000]]
          : value,
      ),
    );

    const found = utterances(mixed, 'spectral');
    expect(found).toHaveLength(1);
    // Quiet word edges drown in the noise, so the boundaries move in a little (clean audio: 150 ms, tested above).
    expect(Math.abs(found[0].startMs - 1020)).toBeLessThanOrEqual(250);
    expect(Math.abs(found[0].endMs - 4380)).toBeLessThanOrEqual(250);
  });

  it('never calls digital silence speech', () => {
    const vad = new SpectralVad();
    const silence = Buffer.alloc(160, 0xff);
    for (let i = 0; i < 100; i++) expect(vad.isSpeech(silence)).toBe(false);
  });
});
