import OpenAI from 'openai';
import type { ProviderPolicy } from '../../../common/resilience/provider-policy';
import { labelOf, SentimentAnalyzer, SentimentScore } from './sentiment';

const INSTRUCTIONS =
  'Rate the sentiment of the caller utterance from -1 (very negative) to 1 (very positive). ' +
  'Answer with the number only.';

/** Sentiment by an OpenAI-compatible chat model: better with sarcasm and context, costs a request per turn. */
export class LlmSentimentAnalyzer extends SentimentAnalyzer {
  readonly name = 'llm';

  constructor(
    private readonly client: OpenAI,
    private readonly model: string,
    private readonly policy: ProviderPolicy,
    private readonly fallback: SentimentAnalyzer,
  ) {
    super();
  }

  async analyze(text: string, signal?: AbortSignal): Promise<SentimentScore> {
    return this.policy.execute(
      async ({ signal: attemptSignal }) => {
        const completion = await this.client.chat.completions.create(
          {
            model: this.model,
            temperature: 0,
            max_tokens: 8,
            messages: [
              { role: 'system', content: INSTRUCTIONS },
              { role: 'user', content: text },
            ],
          },
          { signal: attemptSignal, maxRetries: 0 },
        );
        const value = Number.parseFloat(completion.choices[0]?.message?.content ?? '');
        if (!Number.isFinite(value)) return this.fallback.analyze(text, signal);
        const score = Math.max(-1, Math.min(1, Math.round(value * 100) / 100));
        return { score, label: labelOf(score) };
      },
      { signal, fallback: () => this.fallback.analyze(text, signal) },
    );
  }
}
