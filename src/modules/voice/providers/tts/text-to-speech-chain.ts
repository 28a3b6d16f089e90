import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { SynthesisOptions, TextToSpeech } from './text-to-speech';

/**
 * Tries text-to-speech providers in order (e.g. OpenAI → local). A provider that fails before producing audio,
 * an open circuit included, hands over to the next; the switch is logged and counted. Once audio has started,
 * a failure is not retried elsewhere: the caller would hear the start twice.
 */
export class TextToSpeechChain extends TextToSpeech {
  readonly name: string;
  private readonly logger = new Logger('TextToSpeech');

  constructor(
    private readonly providers: TextToSpeech[],
    private readonly fallbacks: Counter<string>,
  ) {
    super();
    this.name = providers.map((provider) => provider.name).join('>');
  }

  /** The same chain with `name` moved to the front (an agent's own choice), when it is part of it. */
  preferring(name: string | null | undefined): TextToSpeechChain {
    const preferred = this.providers.find((provider) => provider.name === name);
    if (!preferred || preferred === this.providers[0]) return this;
    return new TextToSpeechChain(
      [preferred, ...this.providers.filter((provider) => provider !== preferred)],
      this.fallbacks,
    );
  }

  async *synthesize(text: string, options: SynthesisOptions = {}): AsyncGenerator<Buffer> {
    let lastError: unknown;
    for (const [index, provider] of this.providers.entries()) {
      let started = false;
      try {
        for await (const chunk of provider.synthesize(text, options)) {
          started = true;
          yield chunk;
        }
        return;
      } catch (error) {
        if (started || options.signal?.aborted) throw error;
        lastError = error;
        const next = this.providers[index + 1];
        if (next) {
          this.logger.warn(
            `Text-to-speech ${provider.name} failed (${(error as Error).message}); falling back to ${next.name}`,
          );
          this.fallbacks.inc({ kind: 'tts', from: provider.name, to: next.name });
        }
      }
    }
    throw lastError;
  }
}
