export interface SynthesisOptions {
  voice?: string;
  language?: string;
  /** Aborting stops synthesis at once (barge-in). */
  signal?: AbortSignal;
}

/** Text to caller audio: streams 8 kHz mu-law chunks as they are synthesized. */
export abstract class TextToSpeech {
  abstract readonly name: string;
  abstract synthesize(text: string, options?: SynthesisOptions): AsyncIterable<Buffer>;
}
