import OpenAI, { toFile } from 'openai';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { decodeMulaw } from '../../audio/mulaw';
import { resample, Resampler } from '../../audio/resampler';
import { writePcm16Wav } from '../../audio/wav';
import {
  SpeechToText,
  SpeechToTextStream,
  Transcript,
  TranscriptionOptions,
} from './speech-to-text';

// Whisper-family models are trained on 16 kHz audio.
const TRANSCRIPTION_RATE = 16_000;

/**
 * OpenAI-compatible `/v1/audio/transcriptions` (whisper-1, gpt-4o-transcribe, or a self-hosted Whisper server
 * through OPENAI_BASE_URL): batch, so the utterance is sent once the caller stops speaking.
 */
export class OpenAiSpeechToText extends SpeechToText {
  readonly name = 'openai';

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  open(options: TranscriptionOptions = {}): SpeechToTextStream {
    // Upsampled frame by frame as the caller speaks: converting a whole utterance when it ends would hold the
    // event loop (and every other call's audio) for milliseconds.
    const resampler = new Resampler(8000, TRANSCRIPTION_RATE);
    const chunks: Int16Array[] = [];
    let inputSamples = 0;
    let closed = false;
    return {
      push: (frame) => {
        if (closed) return;
        inputSamples += frame.length;
        chunks.push(resampler.push(decodeMulaw(frame)));
      },
      onPartial: () => undefined, // a batch API has no partial results
      finish: () => {
        closed = true;
        chunks.push(resampler.flush());
        // The filter's tail runs past the audio: keep exactly its length at the new rate.
        const length = Math.round((inputSamples * TRANSCRIPTION_RATE) / 8000);
        return this.send(concatSamples(chunks).subarray(0, length), options);
      },
      close: () => {
        closed = true;
        chunks.length = 0;
      },
    };
  }

  async transcribe(mulaw: Buffer, options: TranscriptionOptions = {}): Promise<Transcript> {
    return this.send(resample(decodeMulaw(mulaw), 8000, TRANSCRIPTION_RATE), options);
  }

  private async send(samples: Int16Array, options: TranscriptionOptions): Promise<Transcript> {
    const wav = writePcm16Wav(samples, TRANSCRIPTION_RATE);
    const language = options.language?.split('-')[0];
    const result = await this.policy.execute(
      async ({ signal }) =>
        this.client.audio.transcriptions.create(
          {
            file: await toFile(wav, 'utterance.wav', { type: 'audio/wav' }),
            model: this.model,
            ...(language && { language }),
          },
          { signal, maxRetries: 0 },
        ),
      { signal: options.signal },
    );
    return { text: result.text.trim(), ...(language && { language }) };
  }
}

function concatSamples(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
