import { labelOf, SentimentAnalyzer, SentimentScore } from './sentiment';

// A small valence lexicon for customer calls (AFINN-style weights, -3..3), with negation and intensifiers.
const LEXICON: Record<string, number> = {
  thanks: 2,
  thank: 2,
  great: 3,
  good: 2,
  perfect: 3,
  excellent: 3,
  wonderful: 3,
  happy: 2,
  glad: 2,
  love: 3,
  helpful: 2,
  awesome: 3,
  nice: 2,
  appreciate: 2,
  fine: 1,
  resolved: 2,
  works: 1,
  yes: 1,
  sure: 1,
  bad: -2,
  terrible: -3,
  awful: -3,
  horrible: -3,
  angry: -3,
  upset: -2,
  annoyed: -2,
  frustrated: -3,
  frustrating: -3,
  disappointed: -2,
  disappointing: -2,
  broken: -2,
  wrong: -2,
  late: -1,
  never: -1,
  problem: -1,
  issue: -1,
  complaint: -2,
  cancel: -1,
  refund: -1,
  unacceptable: -3,
  ridiculous: -3,
  worst: -3,
  hate: -3,
  useless: -3,
  waiting: -1,
  waited: -1,
  still: -1,
  not: 0,
  human: -1,
  rude: -3,
};
const NEGATIONS = new Set([
  'not',
  "don't",
  'dont',
  "isn't",
  "wasn't",
  'never',
  'no',
  "didn't",
  "can't",
  'cannot',
]);
const INTENSIFIERS: Record<string, number> = {
  very: 1.5,
  really: 1.5,
  so: 1.3,
  extremely: 2,
  totally: 1.5,
};

/** Fast, offline sentiment from a word lexicon: good enough to flag an upset caller, no model needed. */
export class LexiconSentimentAnalyzer extends SentimentAnalyzer {
  readonly name = 'lexicon';

  analyze(text: string): Promise<SentimentScore> {
    const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
    let total = 0;
    let hits = 0;
    words.forEach((word, i) => {
      const weight = LEXICON[word];
      if (!weight) return;
      let value = weight;
      const previous = words.slice(Math.max(0, i - 3), i);
      if (previous.some((w) => NEGATIONS.has(w))) value = -value * 0.75;
      const intensifier = previous
        .map((w) => INTENSIFIERS[w])
        .find((factor) => factor !== undefined);
      if (intensifier) value *= intensifier;
      total += value;
      hits++;
    });
    // Normalised into -1..1; a single strong word is clear, many mild ones add up.
    const score = hits === 0 ? 0 : Math.max(-1, Math.min(1, total / (3 * Math.sqrt(hits) + 1)));
    const rounded = Math.round(score * 100) / 100;
    return Promise.resolve({ score: rounded, label: labelOf(rounded) });
  }
}
