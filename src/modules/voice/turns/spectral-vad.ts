import { MULAW_DECODE_TABLE } from '../audio/mulaw';

const FFT_SIZE = 256;
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
  private readonly re = new Float64Array(FFT_SIZE);
  private readonly im = new Float64Array(FFT_SIZE);
  private readonly binsOf = BANDS.map(([low, high]) => [
    Math.max(1, Math.floor((low * FFT_SIZE) / SAMPLE_RATE)),
    Math.min(FFT_SIZE / 2, Math.ceil((high * FFT_SIZE) / SAMPLE_RATE)),
  ]);

  constructor(private readonly options: SpectralVadOptions = DEFAULT_SPECTRAL_VAD_OPTIONS) {}

  /** Whether this 20 ms mu-law frame is speech. Call once per frame, in order: it adapts as it goes. */
  isSpeech(frame: Uint8Array): boolean {
    let sum = 0;
    this.re.fill(0);
    this.im.fill(0);
    for (let i = 0; i < frame.length && i < 160; i++) {
      const sample = MULAW_DECODE_TABLE[frame[i]];
      sum += sample * sample;
      this.re[i] = sample * this.window[i];
    }
    const rms = Math.sqrt(sum / Math.max(1, frame.length));
    fft(this.re, this.im);

    const energies = this.binsOf.map(([from, to]) => {
      let energy = 1e-3;
      for (let bin = from; bin < to; bin++) energy += this.re[bin] ** 2 + this.im[bin] ** 2;
      return energy / (to - from);
    });
    const flatness = this.flatness(8, 109); // 250..3400 Hz
    const speechBands = [1, 2, 3, 4];
    const snrDb =
      speechBands.reduce(
        (total, band) => total + 10 * Math.log10(energies[band] / this.noiseOf(band, energies)),
        0,
      ) / speechBands.length;

    const speech =
      rms >= this.options.minRms &&
      snrDb >= this.options.snrThresholdDb &&
      flatness <= this.options.maxFlatness;
    this.adapt(energies, speech);
    return speech;
  }

  private noiseOf(band: number, energies: number[]): number {
    if (this.noise[band] < 0) this.noise[band] = energies[band];
    return Math.max(this.noise[band], 1e-3);
  }

  /** The floor drops at once to a quieter frame and rises slowly, faster while no speech is heard. */
  private adapt(energies: number[], speech: boolean): void {
    energies.forEach((energy, band) => {
      const floor = this.noise[band] < 0 ? energy : this.noise[band];
      this.noise[band] = energy < floor ? energy : floor * (speech ? 1.002 : 1.05);
      if (!speech) this.noise[band] = Math.min(this.noise[band], 0.9 * floor + 0.1 * energy);
    });
  }

  private flatness(from: number, to: number): number {
    let logSum = 0;
    let sum = 0;
    for (let bin = from; bin < to; bin++) {
      const power = this.re[bin] ** 2 + this.im[bin] ** 2 + 1e-6;
      logSum += Math.log(power);
      sum += power;
    }
    const count = to - from;
    return Math.exp(logSum / count) / (sum / count);
  }
}

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    const stepRe = Math.cos(angle);
    const stepIm = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let wRe = 1;
      let wIm = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = start + k;
        const b = a + size / 2;
        const tRe = re[b] * wRe - im[b] * wIm;
        const tIm = re[b] * wIm + im[b] * wRe;
        re[b] = re[a] - tRe;
        im[b] = im[a] - tIm;
        re[a] += tRe;
        im[a] += tIm;
        const nextRe = wRe * stepRe - wIm * stepIm;
        wIm = wRe * stepIm + wIm * stepRe;
        wRe = nextRe;
      }
    }
  }
}
