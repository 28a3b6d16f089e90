/** How the caller sounds, from -1 (upset) to 1 (pleased). */
export interface SentimentScore {
  score: number;
  label: 'negative' | 'neutral' | 'positive';
}

export abstract class SentimentAnalyzer {
  abstract readonly name: string;
  abstract analyze(text: string, signal?: AbortSignal): Promise<SentimentScore>;
}

export function labelOf(score: number): SentimentScore['label'] {
  if (score <= -0.2) return 'negative';
  if (score >= 0.2) return 'positive';
  return 'neutral';
}
