import { MULAW_DECODE_TABLE } from '../audio/mulaw';

const FFT_SIZE = 256;
const HALF = FFT_SIZE / 2;
const SAMPLE_RATE = 8000;
// Telephone-band sub-bands (Hz), as speech detectors for narrowband audio commonly split it.
const BANDS: [number, number][] = [
  [80, 250],
  [250, 500],
  [500, 1000],
  [1000, 2000],
  [2000, 3000],
  [3000, 4000],
];
// The bands speech lives in (250-3000 Hz), first and last index.
const SPEECH_BANDS = [1, 4] as const;

export interface SpectralVadOptions {
  /** Mean signal-to-noise ratio over the speech bands (250-3000 Hz) that counts as speech, in dB. */
  snrThresholdDb: number;
  /** Spectral flatness (0 tonal .. 1 white) above which a frame is noise-like, whatever its level. */
  maxFlatness: number;
  /** Frames too quiet to be speech at any SNR (16-bit RMS), so digital silence never adapts into "speech". */
  minRms: number;
}

export const DEFAULT_SPECTRAL_VAD_OPTIONS: SpectralVadOptions = {
  snrThresholdDb: 9,
  maxFlatness: 0.45,
  minRms: 150,
};

/**
 * A voice activity detector for 8 kHz telephony that looks at the spectrum, not just the level: per frame it
 * computes sub-band energies (windowed FFT), compares them with a per-band noise floor that follows the line's
 * background (fast down, slow up), and calls a frame speech when the speech bands stand clearly above that
 * floor and the spectrum is not flat like hiss. Steady background noise, however loud, adapts away; speech
 * over it does not.
 */
export class SpectralVad {
  private readonly noise = new Float64Array(BANDS.length).fill(-1);
  private readonly window = Float64Array.from(
    { length: 160 },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 159),
  );
  // The real frame packed as HALF complex points (even samples real, odd imaginary), and its power spectrum.
  private readonly re = new Float64Array(HALF);
  private readonly im = new Float64Array(HALF);
  private readonly power = new Float64Array(HALF + 1);
  private readonly energies = new Float64Array(BANDS.length);
  // Each band's first and last-plus-one bin, flat: [from0, to0, from1, to1, ...].
  private readonly bins = Int32Array.from(
    BANDS.flatMap(([low, high]) => [
      Math.max(1, Math.floor((low * FFT_SIZE) / SAMPLE_RATE)),
      Math.min(HALF, Math.ceil((high * FFT_SIZE) / SAMPLE_RATE)),
    ]),
  );

  constructor(private readonly options: SpectralVadOptions = DEFAULT_SPECTRAL_VAD_OPTIONS) {}

  /** Whether this 20 ms mu-law frame is speech. Call once per frame, in order: it adapts as it goes. */
  isSpeech(frame: Uint8Array): boolean {
    const length = Math.min(frame.length, 160);
    const re = this.re;
    const im = this.im;
    const window = this.window;
    let sum = 0;
    // Even samples into re, odd into im; the zero padding beyond the frame is cleared, not the whole buffer.
    let m = 0;
    for (let i = 0; i + 1 < length; i += 2, m++) {
      const even = MULAW_DECODE_TABLE[frame[i]];
      const odd = MULAW_DECODE_TABLE[frame[i + 1]];
      sum += even * even + odd * odd;
      re[m] = even * window[i];
      im[m] = odd * window[i + 1];
    }
    if (length & 1) {
      const last = MULAW_DECODE_TABLE[frame[length - 1]];
      sum += last * last;
      re[m] = last * window[length - 1];
      im[m++] = 0;
    }
    re.fill(0, m);
    im.fill(0, m);
    const rms = Math.sqrt(sum / Math.max(1, frame.length));
    realPowerSpectrum(re, im, this.power);
    const power = this.power;

    const energies = this.energies;
    const bins = this.bins;
    for (let band = 0; band < BANDS.length; band++) {
      const from = bins[2 * band];
      const to = bins[2 * band + 1];
      let energy = 1e-3;
      for (let bin = from; bin < to; bin++) energy += power[bin];
      energies[band] = energy / (to - from);
    }
    const flatness = this.flatness(8, 109); // 250..3400 Hz
    let snrSum = 0;
    for (let band = SPEECH_BANDS[0]; band <= SPEECH_BANDS[1]; band++)
      snrSum += 10 * Math.log10(energies[band] / this.noiseOf(band, energies));
    const snrDb = snrSum / (SPEECH_BANDS[1] - SPEECH_BANDS[0] + 1);

    const speech =
      rms >= this.options.minRms &&
      snrDb >= this.options.snrThresholdDb &&
      flatness <= this.options.maxFlatness;
    this.adapt(energies, speech);
    return speech;
  }

  private noiseOf(band: number, energies: Float64Array): number {
    if (this.noise[band] < 0) this.noise[band] = energies[band];
    return Math.max(this.noise[band], 1e-3);
  }

  /** The floor drops at once to a quieter frame and rises slowly, faster while no speech is heard. */
  private adapt(energies: Float64Array, speech: boolean): void {
    for (let band = 0; band < energies.length; band++) {
      const energy = energies[band];
      const floor = this.noise[band] < 0 ? energy : this.noise[band];
      this.noise[band] = energy < floor ? energy : floor * (speech ? 1.002 : 1.05);
      if (!speech) this.noise[band] = Math.min(this.noise[band], 0.9 * floor + 0.1 * energy);
    }
  }

  private flatness(from: number, to: number): number {
    // The geometric mean's log sum, one logarithm per eight bins: a product of eight powers (each between
    // 1e-6 and about 1e13) stays well inside a double's range.
    let logSum = 0;
    let sum = 0;
    let product = 1;
    let inProduct = 0;
    for (let bin = from; bin < to; bin++) {
      const power = this.power[bin] + 1e-6;
      product *= power;
      sum += power;
      if (++inProduct === 8) {
        logSum += Math.log(product);
        product = 1;
        inProduct = 0;
      }
    }
    logSum += Math.log(product);
    const count = to - from;
    return Math.exp(logSum / count) / (sum / count);
  }
}

// A real frame of FFT_SIZE samples is transformed as HALF complex points, then split into its own spectrum:
// half the butterflies of a full complex FFT. Permutation and twiddles are computed once for every call.
const BIT_REVERSED = Uint16Array.from({ length: HALF }, (_, i) => {
  let reversed = 0;
  for (let bit = 1, mirror = HALF >> 1; bit < HALF; bit <<= 1, mirror >>= 1)
    if (i & bit) reversed |= mirror;
  return reversed;
});
const TWIDDLE_RE = Float64Array.from({ length: HALF / 2 }, (_, k) =>
  Math.cos((-2 * Math.PI * k) / HALF),
);
const TWIDDLE_IM = Float64Array.from({ length: HALF / 2 }, (_, k) =>
  Math.sin((-2 * Math.PI * k) / HALF),
);
const SPLIT_COS = Float64Array.from({ length: HALF + 1 }, (_, k) =>
  Math.cos((2 * Math.PI * k) / FFT_SIZE),
);
const SPLIT_SIN = Float64Array.from({ length: HALF + 1 }, (_, k) =>
  Math.sin((2 * Math.PI * k) / FFT_SIZE),
);

/**
 * |X[k]|² for k = 0..HALF of the real signal packed in (re, im) as z[m] = x[2m] + i·x[2m+1]. With Z the
 * HALF-point FFT of z: X[k] = E + W·O, where E = (Z[k] + conj Z[HALF-k]) / 2 is the spectrum of the even samples,
 * O = (Z[k] - conj Z[HALF-k]) / 2i that of the odd ones, and W = e^(-2πik/FFT_SIZE).
 */
function realPowerSpectrum(re: Float64Array, im: Float64Array, power: Float64Array): void {
  fft(re, im);
  // k = 0 and k = HALF both pair Z[0] with itself: X[0] = re + im, X[HALF] = re - im (both real).
  power[0] = (re[0] + im[0]) * (re[0] + im[0]);
  power[HALF] = (re[0] - im[0]) * (re[0] - im[0]);
  for (let k = 1; k < HALF; k++) {
    const a = re[k];
    const b = im[k];
    const c = re[HALF - k];
    const d = im[HALF - k];
    const evenRe = (a + c) / 2;
    const evenIm = (b - d) / 2;
    const oddRe = (b + d) / 2;
    const oddIm = (c - a) / 2;
    const wRe = SPLIT_COS[k];
    const wIm = -SPLIT_SIN[k];
    const xRe = evenRe + wRe * oddRe - wIm * oddIm;
    const xIm = evenIm + wRe * oddIm + wIm * oddRe;
    power[k] = xRe * xRe + xIm * xIm;
  }
}

/** In-place iterative radix-2 FFT of HALF points. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = HALF;
  for (let i = 1; i < n; i++) {
    const j = BIT_REVERSED[i];
    if (i < j) {
      const r = re[i];
      re[i] = re[j];
      re[j] = r;
      const m = im[i];
      im[i] = im[j];
      im[j] = m;
    }
  }
  // Stage by stage, twiddle by twiddle, so each twiddle is read once per stage.
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const stride = n / size;
    for (let k = 0; k < half; k++) {
      const wRe = TWIDDLE_RE[k * stride];
      const wIm = TWIDDLE_IM[k * stride];
      for (let a = k; a < n; a += size) {
        const b = a + half;
        const tRe = re[b] * wRe - im[b] * wIm;
        const tIm = re[b] * wIm + im[b] * wRe;
        re[b] = re[a] - tRe;
        im[b] = im[a] - tIm;
        re[a] += tRe;
        im[a] += tIm;
      }
    }
  }
}
