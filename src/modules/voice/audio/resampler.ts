/**
 * Band-limited sample-rate conversion: windowed-sinc interpolation (Blackman window) whose low-pass cutoff
 * sits just below the lower of the two Nyquist frequencies, so downsampling (24 kHz TTS audio to 8 kHz
 * telephony) does not alias and upsampling does not image. Streaming: feed chunks, get the output they
 * complete; `flush()` returns the tail.
 */
export class Resampler {
  private readonly step: number;
  private readonly cutoff: number;
  private readonly halfTaps: number;
  private history: Float64Array = new Float64Array(0);
  /** Position of the next output sample, in input samples, relative to history[0]. */
  private position: number;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
    /** Zero crossings of the sinc kept on each side; more = sharper filter, more work. */
    zeroCrossings = 16,
  ) {
    this.step = inputRate / outputRate;
    // 0.92 leaves a transition band so the window's roll-off finishes before the Nyquist frequency.
    this.cutoff = Math.min(1, outputRate / inputRate) * 0.92;
    this.halfTaps = Math.ceil(zeroCrossings / this.cutoff);
    this.position = 0;
    // Start with half a filter of silence so the first samples are centred, not delayed.
    this.history = new Float64Array(this.halfTaps);
    this.position = this.halfTaps;
  }

  push(input: Int16Array): Int16Array {
    const merged = new Float64Array(this.history.length + input.length);
    merged.set(this.history);
    merged.set(input, this.history.length);
    const count = Math.max(
      0,
      Math.ceil((merged.length - this.halfTaps - this.position) / this.step),
    );
    const output = new Int16Array(count);
    let written = 0;
    while (this.position + this.halfTaps < merged.length) {
      output[written++] = this.sampleAt(merged, this.position);
      this.position += this.step;
    }
    const keepFrom = Math.max(0, Math.floor(this.position) - this.halfTaps);
    this.history = merged.slice(keepFrom);
    this.position -= keepFrom;
    return written === count ? output : output.subarray(0, written);
  }

  /** The remaining output, as if the input were followed by silence. */
  flush(): Int16Array {
    return this.push(new Int16Array(this.halfTaps + Math.ceil(this.step)));
  }

  // Telephony ratios (1:3, 2:1, 3:1...) visit only a few fractional offsets: each filter phase is computed once.
  private readonly phases = new Map<number, Float64Array>();

  private sampleAt(samples: Float64Array, t: number): number {
    const center = Math.floor(t);
    const coefficients = this.coefficientsFor(t - center);
    // The history keeps half a filter before `t` and push() stops half a filter before the end: every tap
    // falls inside `samples`.
    const first = center - this.halfTaps + 1;
    let sum = 0;
    for (let j = 0; j < coefficients.length; j++) sum += samples[first + j] * coefficients[j];
    return Math.max(-32768, Math.min(32767, Math.round(sum)));
  }

  private coefficientsFor(fraction: number): Float64Array {
    const key = Math.round(fraction * 1e9);
    let coefficients = this.phases.get(key);
    if (!coefficients) {
      coefficients = new Float64Array(2 * this.halfTaps);
      for (let j = 0; j < coefficients.length; j++) {
        const x = fraction + this.halfTaps - 1 - j; // distance from the output instant to input sample j
        const windowPosition = x / this.halfTaps; // -1..1
        if (windowPosition <= -1 || windowPosition >= 1) continue;
        const window =
          0.42 +
          0.5 * Math.cos(Math.PI * windowPosition) +
          0.08 * Math.cos(2 * Math.PI * windowPosition);
        const arg = Math.PI * this.cutoff * x;
        coefficients[j] = this.cutoff * (x === 0 ? 1 : Math.sin(arg) / arg) * window;
      }
      if (this.phases.size < 4096) this.phases.set(key, coefficients);
    }
    return coefficients;
  }
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
