import OpenAI from 'openai';
import { openStream } from '../../../../common/resilience/open-stream';
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
    const speech = await openStream(
      this.policy,
      (signal) =>
        this.client.audio.speech.create(
          {
            model: this.model,
            voice: options.voice && options.voice !== 'default' ? options.voice : this.defaultVoice,
            input: text,
            response_format: 'pcm',
          },
          { signal, maxRetries: 0 },
        ),
      options.signal,
    );
    const body = speech.value.body;
    if (!body) return;
    for await (const chunk of pcmStreamToMulaw(speech.read(body), OPENAI_PCM_RATE)) {
      if (options.signal?.aborted) return;
      yield chunk;
    }
  }
}
