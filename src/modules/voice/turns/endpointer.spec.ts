import * as path from 'node:path';
import { MULAW_DECODE_TABLE } from '../audio/mulaw';
import { readMulawWav } from '../audio/wav';
import { Endpointer, Utterance } from './endpointer';

const SHARED_AUDIO = path.join(__dirname, '..', '..', '..', '..', '..', 'shared', 'audio');
const audio = (name: string) => readMulawWav(path.join(SHARED_AUDIO, `${name}.ulaw.wav`));

function run(samples: Buffer, options?: ConstructorParameters<typeof Endpointer>[1]): Utterance[] {
  const found: Utterance[] = [];
  const sut = new Endpointer((utterance) => found.push(utterance), options);
  for (let offset = 0; offset + 160 <= samples.length; offset += 160)
    sut.push(samples.subarray(offset, offset + 160));
  sut.flush();
  return found;
}

/** Where sound starts and stops in a file, sample by sample (independent of the endpointer's framing). */
function soundSpan(samples: Buffer): { startMs: number; endMs: number } {
  const loud = (i: number) => Math.abs(MULAW_DECODE_TABLE[samples[i]]) > 200;
  let first = 0;
  while (first < samples.length && !loud(first)) first++;
  let last = samples.length - 1;
  while (last > first && !loud(last)) last--;
  return { startMs: first / 8, endMs: last / 8 };
}

describe(Endpointer.name, () => {
  it('finds exactly the 4 utterances of call-4-turns, within 150 ms of where each one starts and stops', () => {
    // call-4-turns is hello, order, math, goodbye, each followed by 1 s of silence.
    let offsetMs = 0;
    const expected = ['hello', 'order', 'math', 'goodbye'].map((name) => {
      const part = audio(name);
      const span = soundSpan(part);
      const spoken = { startMs: offsetMs + span.startMs, endMs: offsetMs + span.endMs };
      offsetMs += part.length / 8 + 1000;
      return spoken;
    });

    const found = run(audio('call-4-turns'));

    expect(found).toHaveLength(4);
    found.forEach((utterance, i) => {
      expect(Math.abs(utterance.startMs - expected[i].startMs)).toBeLessThanOrEqual(150);
      expect(Math.abs(utterance.endMs - expected[i].endMs)).toBeLessThanOrEqual(150);
    });
  });

  it('finds nothing in silence', () => {
    expect(run(audio('silence-3s'))).toEqual([]);
  });

  it('does not turn a click shorter than the minimum speech length into a turn', () => {
    const click = Buffer.alloc(8000, 0xff);
    click.fill(0x10, 4000, 4000 + 800); // 100 ms burst
    expect(run(click)).toEqual([]);
    expect(
      run(click, { speechThreshold: 300, endSilenceMs: 600, minSpeechMs: 50, frameMs: 20 }),
    ).toHaveLength(1);
  });

  it('ends an utterance only after the configured silence', () => {
    const speech = audio('hello');
    // hello ends with ~370 ms of quiet; with this gap the pause inside the turn is under 500 ms
    const gap = Buffer.alloc(8 * 100, 0xff);
    const joined = Buffer.concat([speech, gap, speech]);
    expect(run(joined)).toHaveLength(1);
    expect(
      run(joined, { speechThreshold: 300, endSilenceMs: 300, minSpeechMs: 200, frameMs: 20 }),
    ).toHaveLength(2);
  });

  it('cuts an utterance that never pauses at the maximum length', () => {
    const endless = Buffer.alloc(8000 * 35, 0x10); // 35 s at speech level, no pause
    const found = run(endless, {
      detector: 'energy',
      speechThreshold: 300,
      endSilenceMs: 600,
      minSpeechMs: 200,
      frameMs: 20,
    });
    expect(found.map((u) => [u.startMs, u.endMs])).toEqual([
      [0, 30_000],
      [30_000, 35_000],
    ]);
  });
});
