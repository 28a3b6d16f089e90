import OpenAI from 'openai';
import type { ProviderPolicy } from '../../../../common/resilience/provider-policy';
import { pcmStreamToMulaw } from './pcm-to-telephony';
import { SynthesisOptions, TextToSpeech } from './text-to-speech';

// OpenAI's `pcm` response format: 24 kHz, 16-bit signed little-endian, mono.
const OPENAI_PCM_RATE = 24_000;

/** OpenAI (or compatible) `/v1/audio/speech`, streamed as PCM and converted to 8 kHz mu-law as it arrives. */
export class OpenAiTextToSpeech extends TextToSpeech {
  readonly name = 'openai';

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly defaultVoice: string,
    private readonly policy: ProviderPolicy,
  ) {
    super();
  }

  async *synthesize(text: string, options: SynthesisOptions = {}): AsyncGenerator<Buffer> {
    // The policy's timeout covers the request until audio starts flowing, not the whole stream: cockatiel
    // aborts an attempt's signal when the attempt settles, which would cut the body off. Each attempt gets its
    // own controller, tied to the policy's signal only while waiting for the response.
    let body: AsyncIterable<Uint8Array> | null = null;
    await this.policy.execute(
      async ({ signal: attemptSignal }) => {
        const controller = new AbortController();
        const abort = () => controller.abort();
        attemptSignal.addEventListener('abort', abort, { once: true });
        options.signal?.addEventListener('abort', abort, { once: true });
        try {
          const response = await this.client.audio.speech.create(
            {
              model: this.model,
              voice:
                options.voice && options.voice !== 'default' ? options.voice : this.defaultVoice,
              input: text,
              response_format: 'pcm',
            },
            { signal: controller.signal, maxRetries: 0 },
          );
          body = response.body;
        } finally {
          attemptSignal.removeEventListener('abort', abort);
        }
      },
      { signal: options.signal },
    );
    if (!body) return;
    for await (const chunk of pcmStreamToMulaw(body, OPENAI_PCM_RATE)) {
      if (options.signal?.aborted) return;
      yield chunk;
    }
  }
}
