import type OpenAI from 'openai';
import type { Transcription } from 'openai/resources/audio/transcriptions';
import { encodeMultipart } from '../../../../common/providers/multipart';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { ByteAccumulator } from '../../audio/byte-accumulator';
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
const UTTERANCE_START_BYTES = 2 * TELEPHONY_RATE; // 2 s of mu-law, doubled as a longer utterance needs

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
    // Audio is only kept while the caller speaks; decoding the utterance once it ends is a table lookup.
    const utterance = new ByteAccumulator(UTTERANCE_START_BYTES);
    let closed = false;
    return {
      push: (frame) => {
        if (!closed) utterance.append(frame);
      },
      onPartial: () => undefined, // a batch API has no partial results
      finish: () => {
        closed = true;
        return this.send(decodeMulaw(utterance.view()), options);
      },
      close: () => {
        closed = true;
        utterance.clear();
      },
    };
  }

  async transcribe(mulaw: Buffer, options: TranscriptionOptions = {}): Promise<Transcript> {
    return this.send(decodeMulaw(mulaw), options);
  }

  private async send(samples: Int16Array, options: TranscriptionOptions): Promise<Transcript> {
    const language = options.language?.split('-')[0];
    // The upload is encoded here, once, and handed to the SDK as bytes: its own File and FormData path copies
    // the utterance through a Blob twice and reads it back asynchronously, on every turn of every call.
    const upload = encodeMultipart([
      [
        'file',
        {
          filename: 'utterance.wav',
          contentType: 'audio/wav',
          bytes: writePcm16Wav(samples, TELEPHONY_RATE),
        },
      ],
      ['model', this.model],
      ...(language ? [['language', language] as [string, string]] : []),
    ]);
    const result = await this.policy.execute(
      ({ signal }) =>
        this.client.post<Transcription>('/audio/transcriptions', {
          body: upload.body,
          headers: { 'Content-Type': upload.contentType },
          signal,
          maxRetries: 0,
        }),
      { signal: options.signal },
    );
    return { text: result.text.trim(), ...(language && { language }) };
  }
}
