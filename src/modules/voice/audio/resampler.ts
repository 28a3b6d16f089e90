/**
 * Band-limited sample-rate conversion: windowed-sinc interpolation (Blackman window) whose low-pass cutoff
 * sits just below the lower of the two Nyquist frequencies, so downsampling (24 kHz TTS audio to 8 kHz
 * telephony) does not alias and upsampling does not image. Streaming: feed chunks, get the output they
 * complete; `flush()` returns the tail.
 *
 * Rates are integers, so output instants fall on `phaseCount` distinct fractions of an input sample (one for
 * 24 kHz → 8 kHz, three for 8 kHz → 24 kHz): the position is kept as an exact fraction and each phase's taps
 * are computed once. This runs for every second of every reply spoken on every call.
 */
export class Resampler {
  private readonly halfTaps: number;
  private readonly cutoff: number;
  /** Input samples advanced per output sample, as `stepNumerator / phaseCount`. */
  private readonly stepNumerator: number;
  private readonly phaseCount: number;
  private readonly phases: (Float64Array | undefined)[];
  private history: Float64Array;
  /** Position of the next output sample relative to history[0], in 1/phaseCount of an input sample. */
  private position: number;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    /**
     * Zero crossings of the sinc kept on each side; more = sharper filter, more work. Eight, at half the
     * cost of sixteen, keep 24 kHz → 8 kHz within 0.4 dB up to 3 kHz (-2.5 dB at 3.4 kHz, the edge of the
     * telephone band) and fold what lies above 4.6 kHz back at least 40 dB down, under the noise of the
     * mu-law coding that follows (about 38 dB below the signal).
     */
    zeroCrossings = 8,
  ) {
    if (
      !Number.isInteger(inputRate) ||
      !Number.isInteger(outputRate) ||
      inputRate <= 0 ||
      outputRate <= 0
    )
      throw new Error(`sample rates must be positive integers (${inputRate} → ${outputRate})`);
    const divisor = gcd(inputRate, outputRate);
    this.stepNumerator = inputRate / divisor;
    this.phaseCount = outputRate / divisor;
    this.phases = new Array<Float64Array | undefined>(this.phaseCount);
    // 0.92 leaves a transition band so the window's roll-off finishes before the Nyquist frequency.
    this.cutoff = Math.min(1, outputRate / inputRate) * 0.92;
    this.halfTaps = Math.ceil(zeroCrossings / this.cutoff);
    // Start with half a filter of silence so the first samples are centred, not delayed.
    this.history = new Float64Array(this.halfTaps);
    this.position = this.halfTaps * this.phaseCount;
  }

  push(input: Int16Array): Int16Array {
    const merged = new Float64Array(this.history.length + input.length);
    merged.set(this.history);
    merged.set(input, this.history.length);
    const { halfTaps, phaseCount, stepNumerator } = this;
    // The history keeps half a filter before each output instant and the loop stops half a filter before the
    // end: every tap falls inside `merged`.
    const end = (merged.length - halfTaps) * phaseCount;
    const count = Math.max(0, Math.ceil((end - this.position) / stepNumerator));
    const output = new Int16Array(count);
    let position = this.position;
    for (let written = 0; written < count; written++) {
      const center = Math.floor(position / phaseCount);
      const taps = this.taps(position - center * phaseCount);
      const first = center - halfTaps + 1;
      let sum = 0;
      for (let j = 0; j < taps.length; j++) sum += merged[first + j] * taps[j];
      output[written] = sum >= 32767 ? 32767 : sum <= -32768 ? -32768 : Math.round(sum);
      position += stepNumerator;
    }
    const keepFrom = Math.max(0, Math.floor(position / phaseCount) - halfTaps);
    this.history = merged.slice(keepFrom);
    this.position = position - keepFrom * phaseCount;
    return output;
  }

  /** The remaining output, as if the input were followed by silence. */
  flush(): Int16Array {
    return this.push(
      new Int16Array(this.halfTaps + Math.ceil(this.stepNumerator / this.phaseCount)),
    );
  }

  private taps(phase: number): Float64Array {
    let taps = this.phases[phase];
    if (!taps) {
      const fraction = phase / this.phaseCount;
      taps = new Float64Array(2 * this.halfTaps);
      for (let j = 0; j < taps.length; j++) {
        const x = fraction + this.halfTaps - 1 - j; // distance from the output instant to input sample j
        const windowPosition = x / this.halfTaps; // -1..1
        if (windowPosition <= -1 || windowPosition >= 1) continue;
        const window =
          0.42 +
          0.5 * Math.cos(Math.PI * windowPosition) +
          0.08 * Math.cos(2 * Math.PI * windowPosition);
        const arg = Math.PI * this.cutoff * x;
        taps[j] = this.cutoff * (x === 0 ? 1 : Math.sin(arg) / arg) * window;
      }
      this.phases[phase] = taps;
    }
    return taps;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Converts a whole buffer at once. */
export function resample(input: Int16Array, inputRate: number, outputRate: number): Int16Array {
  if (inputRate === outputRate) return input.slice();
  const resampler = new Resampler(inputRate, outputRate);
  const body = resampler.push(input);
  const tail = resampler.flush();
  const expected = Math.round((input.length * outputRate) / inputRate);
  const out = new Int16Array(expected);
  out.set(body.subarray(0, expected));
  if (body.length < expected) out.set(tail.subarray(0, expected - body.length), body.length);
  return out;
}
