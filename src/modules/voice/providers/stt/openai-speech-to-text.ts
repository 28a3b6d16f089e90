import OpenAI, { toFile } from 'openai';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { decodeMulaw } from '../../audio/mulaw';
import { writePcm16Wav } from '../../audio/wav';
import {
  SpeechToText,
  SpeechToTextStream,
  Transcript,
  TranscriptionOptions,
} from './speech-to-text';

// Telephony's own rate. Whisper servers resample to 16 kHz themselves (ffmpeg), so upsampling here would only
// double the upload and spend the event loop, which every other call's audio is waiting on.
const TELEPHONY_RATE = 8000;

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
    // Frames are only kept while the caller speaks; decoding the utterance once it ends is a table lookup.
    const frames: Buffer[] = [];
    let closed = false;
    return {
      push: (frame) => {
        if (!closed) frames.push(frame);
      },
      onPartial: () => undefined, // a batch API has no partial results
      finish: () => {
        closed = true;
        return this.send(decodeMulaw(Buffer.concat(frames)), options);
      },
      close: () => {
        closed = true;
        frames.length = 0;
      },
    };
  }

  async transcribe(mulaw: Buffer, options: TranscriptionOptions = {}): Promise<Transcript> {
    return this.send(decodeMulaw(mulaw), options);
  }

  private async send(samples: Int16Array, options: TranscriptionOptions): Promise<Transcript> {
    const wav = writePcm16Wav(samples, TELEPHONY_RATE);
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
