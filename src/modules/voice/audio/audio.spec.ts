import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeMulaw, encodeMulaw, encodeMulawSample, MULAW_DECODE_TABLE } from './mulaw';
import { resample, Resampler } from './resampler';
import { parseWav, pcm16Samples, readMulawWav, writeMulawWav, writePcm16Wav } from './wav';

const SHARED_AUDIO = path.join(__dirname, '..', '..', '..', '..', '..', 'shared', 'audio');

function tone(
  frequency: number,
  sampleRate: number,
  seconds: number,
  amplitude = 10_000,
): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate)),
  );
}

function rms(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (to - from));
}

/** Dominant frequency by counting upward zero crossings over the middle of the signal. */
function frequencyOf(samples: Int16Array, sampleRate: number): number {
  const from = Math.floor(samples.length * 0.1);
  const to = Math.floor(samples.length * 0.9);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (samples[i - 1] < 0 && samples[i] >= 0) crossings++;
  return (crossings * sampleRate) / (to - from);
}

describe('G.711 mu-law', () => {
  it('round-trips every code (0x7F and 0xFF are both zero)', () => {
    for (let code = 0; code < 256; code++) {
      const back = encodeMulawSample(MULAW_DECODE_TABLE[code]);
      expect(code === 0x7f ? 0xff : code).toBe(back);
    }
  });

  it('keeps the quantisation error of linear samples within half a step of their segment', () => {
    for (let sample = -32000; sample <= 32000; sample += 7) {
      const decoded = MULAW_DECODE_TABLE[encodeMulawSample(sample)];
      const step = Math.max(2, 2 ** (Math.floor(Math.log2(Math.abs(sample) + 132)) - 4));
      expect(Math.abs(decoded - sample)).toBeLessThanOrEqual(step);
    }
  });

  it('encodes and decodes buffers', () => {
    const signal = tone(440, 8000, 0.1);
    const decoded = decodeMulaw(encodeMulaw(signal));
    expect(rms(decoded)).toBeCloseTo(rms(signal), -2);
  });
});

describe(Resampler.name, () => {
  it.each([
    [8000, 16000],
    [8000, 24000],
    [16000, 8000],
    [24000, 8000],
    [22050, 8000], // 160 phases: output instants between input samples in exact fractions
  ])('keeps a 1 kHz tone at 1 kHz and its level from %i Hz to %i Hz', (from, to) => {
    const input = tone(1000, from, 0.5);
    const output = resample(input, from, to);

    expect(output.length).toBe(Math.round((input.length * to) / from));
    expect(frequencyOf(output, to)).toBeCloseTo(1000, -1);
    const level =
      20 * Math.log10(rms(output, output.length * 0.1, output.length * 0.9) / rms(input));
    expect(Math.abs(level)).toBeLessThan(0.5);
  });

  it('filters what 8 kHz cannot carry instead of folding it back (anti-aliasing)', () => {
    const alias = resample(tone(6000, 24000, 0.5), 24000, 8000); // 6 kHz would fold to 2 kHz
    const attenuation =
      20 * Math.log10(rms(alias, alias.length * 0.1, alias.length * 0.9) / 10_000);
    expect(attenuation).toBeLessThan(-40);
  });

  it('rejects rates that are not positive integers', () => {
    expect(() => new Resampler(22050.5, 8000)).toThrow(/positive integers/);
  });

  it('gives the same output whether fed at once or in 20 ms chunks', () => {
    const input = tone(700, 24000, 0.3);
    const whole = new Resampler(24000, 8000);
    const once = Int16Array.from([...whole.push(input), ...whole.flush()]);
    const chunked = new Resampler(24000, 8000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 480)
      parts.push(...chunked.push(input.subarray(i, i + 480)));
    parts.push(...chunked.flush());
    expect(Int16Array.from(parts)).toEqual(once);
  });
});

describe('WAV', () => {
  const expected: Record<string, number> = {
    hello: 3.75,
    'call-4-turns': 17.44,
    'silence-3s': 3,
  };

  it.each(Object.entries(expected))(
    'decodes the shared %s file to its duration',
    (name, seconds) => {
      const file = parseWav(readFileSync(path.join(SHARED_AUDIO, `${name}.ulaw.wav`)));
      expect(file).toMatchObject({ format: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8 });
      expect(file.factSamples).toBe(file.data.length);
      expect(file.data.length / 8000).toBeCloseTo(seconds, 1);
    },
  );

  it('writes mu-law and PCM files it reads back identically', () => {
    const mulaw = readMulawWav(path.join(SHARED_AUDIO, 'hello.ulaw.wav'));
    expect(parseWav(writeMulawWav(mulaw)).data).toEqual(mulaw);
    const pcm = tone(300, 16000, 0.05);
    expect(pcm16Samples(parseWav(writePcm16Wav(pcm, 16000)))).toEqual(pcm);
  });

  it('reads a streamed WAV whose data size runs past the end', () => {
    const wav = writePcm16Wav(tone(300, 22050, 0.01), 22050);
    wav.writeUInt32LE(0xffffffff, 40);
    expect(pcm16Samples(parseWav(wav)).length).toBe(221);
  });
});
