import { openStream } from '../../../../common/resilience/open-stream';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { SynthesisOptions, TextToSpeech } from './text-to-speech';

const CARTESIA_VERSION = '2024-06-10';

/**
 * Cartesia's bytes API (`POST /tts/bytes`), asked for raw 8 kHz mu-law: exactly what a phone call carries, so
 * nothing is resampled. Streamed as it arrives.
 */
export class CartesiaTextToSpeech extends TextToSpeech {
  readonly name = 'cartesia';

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly model: string,
    private readonly defaultVoiceId: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  async *synthesize(text: string, options: SynthesisOptions = {}): AsyncGenerator<Buffer> {
    const speech = await openStream(
      this.policy,
      async (signal) => {
        const response = await fetch(`${this.baseUrl}/tts/bytes`, {
          method: 'POST',
          signal,
          headers: {
            'content-type': 'application/json',
            'x-api-key': this.apiKey,
            'cartesia-version': CARTESIA_VERSION,
          },
          body: JSON.stringify({
            model_id: this.model,
            transcript: text,
            voice: { mode: 'id', id: this.voiceFor(options.voice) },
            output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
            language: (options.language ?? 'en').split('-')[0],
          }),
        });
        if (!response.ok) {
          const detail = await response.text().catch(() => '');
          throw Object.assign(
            new Error(`Cartesia answered ${response.status}: ${detail.slice(0, 200)}`),
            {
              status: response.status,
            },
          );
        }
        return response.body;
      },
      options.signal,
    );
    const body = speech.value;
    if (!body) return;
    for await (const chunk of speech.read(body)) {
      if (options.signal?.aborted) return;
      yield Buffer.from(chunk);
    }
  }

  private voiceFor(voice: string | undefined): string {
    // Agents name Cartesia voices by id; anything else (e.g. 'default', an OpenAI voice name) gets the default.
    return voice && /^[0-9a-f-]{36}$/.test(voice) ? voice : this.defaultVoiceId;
  }
}
