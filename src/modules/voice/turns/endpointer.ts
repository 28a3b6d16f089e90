import { MULAW_DECODE_TABLE } from '../audio/mulaw';
import { DEFAULT_SPECTRAL_VAD_OPTIONS, SpectralVad, SpectralVadOptions } from './spectral-vad';

export interface EndpointerOptions {
  /**
   * How frames are classified: `spectral` (sub-band SNR over an adaptive noise floor, see SpectralVad) or
   * `energy` (frame RMS over `speechThreshold`: simpler, fooled by loud steady noise).
   */
  detector?: 'spectral' | 'energy';
  /** Frame RMS (16-bit scale) above which a frame counts as speech, for the energy detector. */
  speechThreshold: number;
  /** Overrides of the spectral detector's thresholds. */
  spectral?: Partial<SpectralVadOptions>;
  /** Silence that ends an utterance. */
  endSilenceMs: number;
  /** Shorter bursts (clicks, breaths) are not utterances. */
  minSpeechMs: number;
  /** An utterance is cut here even without a pause (a noisy line must not hold the floor forever). */
  maxUtteranceMs?: number;
  frameMs: number;
}

const DEFAULT_MAX_UTTERANCE_MS = 30_000;

export const DEFAULT_ENDPOINTER_OPTIONS: EndpointerOptions = {
  detector: 'spectral',
  speechThreshold: 300,
  endSilenceMs: 600,
  minSpeechMs: 200,
  frameMs: 20,
};

export interface Utterance {
  /** Offsets from the start of the stream. */
  startMs: number;
  endMs: number;
  speechMs: number;
}

/** Root-mean-square level of a mu-law frame on the 16-bit scale. */
export function mulawFrameRms(frame: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) {
    const sample = MULAW_DECODE_TABLE[frame[i]];
    sum += sample * sample;
  }
  return frame.length === 0 ? 0 : Math.sqrt(sum / frame.length);
}

/**
 * Endpointing on 8 kHz mu-law frames: an utterance starts at the first speech frame and ends after
 * `endSilenceMs` without speech; bursts shorter than `minSpeechMs` are dropped. It finds turns, it does not
 * understand them.
 */
export class Endpointer {
  private elapsedMs = 0;
  private startMs: number | undefined;
  private lastSpeechMs = 0;
  private speechMs = 0;
  private readonly vad: SpectralVad | undefined;

  constructor(
    private readonly onUtterance: (utterance: Utterance) => void,
    private readonly options: EndpointerOptions = DEFAULT_ENDPOINTER_OPTIONS,
    private readonly onSpeechStart?: (atMs: number) => void,
  ) {
    this.vad =
      (options.detector ?? 'spectral') === 'spectral'
        ? new SpectralVad({ ...DEFAULT_SPECTRAL_VAD_OPTIONS, ...options.spectral })
        : undefined;
  }

  get speaking(): boolean {
    return this.startMs !== undefined;
  }

  /** Speech heard so far in the current utterance (0 between utterances). */
  get currentSpeechMs(): number {
    return this.startMs === undefined ? 0 : this.speechMs;
  }

  push(frame: Uint8Array): void {
    const frameMs = (frame.length / 8000) * 1000 || this.options.frameMs;
    const isSpeech = this.vad
      ? this.vad.isSpeech(frame)
      : mulawFrameRms(frame) >= this.options.speechThreshold;
    const frameStart = this.elapsedMs;
    this.elapsedMs += frameMs;
    if (isSpeech) {
      if (this.startMs === undefined) {
        this.startMs = frameStart;
        this.speechMs = 0;
        this.onSpeechStart?.(frameStart);
      }
      this.speechMs += frameMs;
      this.lastSpeechMs = this.elapsedMs;
      const maxMs = this.options.maxUtteranceMs ?? DEFAULT_MAX_UTTERANCE_MS;
      if (this.elapsedMs - this.startMs >= maxMs) this.finish();
      return;
    }
    if (
      this.startMs !== undefined &&
      this.elapsedMs - this.lastSpeechMs >= this.options.endSilenceMs
    ) {
      this.finish();
    }
  }

  /** Ends a pending utterance (e.g. the stream stopped mid-speech). */
  flush(): void {
    if (this.startMs !== undefined) this.finish();
  }

  private finish(): void {
    const utterance = { startMs: this.startMs!, endMs: this.lastSpeechMs, speechMs: this.speechMs };
    this.startMs = undefined;
    if (utterance.speechMs >= this.options.minSpeechMs) this.onUtterance(utterance);
  }
}
