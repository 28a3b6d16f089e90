export interface Transcript {
  text: string;
  /** 0..1 when the provider reports it. */
  confidence?: number;
  language?: string;
}

export interface TranscriptionOptions {
  language?: string;
  signal?: AbortSignal;
}

/** One utterance being transcribed: audio in as it arrives, partial transcripts out, a final one at the end. */
export interface SpeechToTextStream {
  /** 8 kHz mu-law frames of the utterance. */
  push(frame: Buffer): void;
  onPartial(listener: (text: string) => void): void;
  /** The utterance ended: the final transcript. */
  finish(): Promise<Transcript>;
  /** Abandons the utterance. */
  close(): void;
}

/** Caller audio to text. Streaming providers transcribe as the caller speaks; batch ones when they stop. */
export abstract class SpeechToText {
  abstract readonly name: string;
  abstract open(options?: TranscriptionOptions): SpeechToTextStream;
}
