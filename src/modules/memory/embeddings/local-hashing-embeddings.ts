import { Embeddings, EmbeddingSpace } from './embeddings';

// Stored with every vector: change it whenever tokenisation, features, weights or hashing change, otherwise
// vectors from the old and the new algorithm would be compared as if they lived in the same space.
const MODEL = 'local-hash-v1';

// Whole words carry most of the meaning; bigrams add a little word order ("cancel appointment" vs
// "appointment cancelled") without dominating; character trigrams are many per word, so each one weighs little,
// yet together they let "appointments" still match "appointment" and survive a typo.
const UNIGRAM_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.5;
const TRIGRAM_WEIGHT = 0.35;

// Function words only: question words (how, when, where, who, why) and negations (no, not) stay, because they
// decide which answer a caller wants. Contraction tails ("we'll" -> we, ll) are here since apostrophes split words.
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then so of to in on at by for with from into onto as about than ' +
    'is are was were be been being am do does did have has had will would shall should can could may might must ' +
    'i me my mine we us our ours you your yours he him his she her hers it its they them their theirs ' +
    'this that these those there here what which also just very please ' +
    's t d ll m re ve'
  ).split(' '),
);

const COMBINING_MARKS = /\p{M}+/gu;
const NON_WORD = /[^\p{L}\p{N}]+/u;
const DIGITS_ONLY = /^\p{N}+$/u;
const FNV_OFFSET = 0x811c9dc5;

/**
 * Embeddings without a model or API key: signed feature hashing of word unigrams, word bigrams and character
 * trigrams. Similarity is lexical only (shared words and word parts), not semantic, but it is instant, free and
 * deterministic, which makes it the default for a self-hosted deployment.
 */
export class LocalHashingEmbeddings extends Embeddings {
  readonly space: EmbeddingSpace;

  constructor(dimensions: number = 384) {
    super();
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
    }
    this.space = { model: MODEL, dimensions };
  }

  embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    // The executor runs synchronously and a throw in it rejects the promise (with the signal's reason). The
    // work never yields to the event loop, so the signal cannot change while it runs: one check up front is all
    // that honouring it takes.
    return new Promise((resolve) => {
      options?.signal?.throwIfAborted();
      resolve(texts.map((text) => this.embedOne(text)));
    });
  }

  private embedOne(text: string): number[] {
    const { dimensions } = this.space;
    const vector = new Array<number>(dimensions).fill(0);
    const features = extractFeatures(text);
    if (features.size === 0) {
      // pgvector's cosine distance is undefined (NaN) for a zero vector, which would break ordering and
      // thresholds, so text without content words gets a fixed unit vector instead: all such texts are
      // identical to each other and nearly orthogonal to everything else.
      vector[0] = 1;
      return vector;
    }
    for (const [hash, { weight, count }] of features) {
      // One bit picks the sign, the others the slot: colliding features then cancel out as often as they add
      // up, so collisions add noise instead of a bias towards similarity.
      const index = (hash & 0x7fffffff) % dimensions;
      const sign = hash >>> 31 === 1 ? -1 : 1;
      // Sublinear term frequency: a word said five times is more important, but not five times more.
      vector[index] += sign * weight * (1 + Math.log(count));
    }
    let squares = 0;
    for (const value of vector) squares += value * value;
    if (squares === 0) {
      // Only if every feature was cancelled by a colliding one of opposite sign and equal weight: practically
      // impossible with mixed weights, but the result must still be a unit vector.
      vector[0] = 1;
      return vector;
    }
    const norm = Math.sqrt(squares);
    for (let i = 0; i < dimensions; i++) vector[i] /= norm;
    return vector;
  }
}

/** Cosine of the angle between two vectors of equal length; 0 when either is all zeros. */
export function cosineSimilarity(a: number[], b: number[]): number {
  if (a.length !== b.length) {
    throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

interface Feature {
  weight: number;
  count: number;
}

// Prefixes keep the three kinds of feature apart: the word "cat" and the trigram "cat" hash differently.
const UNIGRAM = fnv1a(FNV_OFFSET, 'u:');
const BIGRAM = fnv1a(FNV_OFFSET, 'b:');
const TRIGRAM = fnv1a(FNV_OFFSET, 'c:');

/** Features keyed by their hash: hashing slices in place avoids building a string per feature. */
function extractFeatures(text: string): Map<number, Feature> {
  const words = tokenize(text).filter((word) => !STOP_WORDS.has(word));
  const features = new Map<number, Feature>();
  const add = (hash: number, weight: number): void => {
    const feature = features.get(hash);
    if (feature) feature.count++;
    else features.set(hash, { weight, count: 1 });
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    add(finalize(fnv1a(UNIGRAM, word)), UNIGRAM_WEIGHT);
    if (i > 0) add(finalize(fnv1a(fnv1a(BIGRAM, words[i - 1]), ` ${word}`)), BIGRAM_WEIGHT);
    // Numbers match exactly or not at all: order 4572 must not look like order 4573.
    if (DIGITS_ONLY.test(word)) continue;
    const padded = `#${word}#`;
    for (let j = 0; j + 3 <= padded.length; j++) {
      add(finalize(fnv1a(TRIGRAM, padded, j, j + 3)), TRIGRAM_WEIGHT);
    }
  }
  return features;
}

function tokenize(text: string): string[] {
  // Lowercase before NFKD: some capitals (e.g. the Turkish dotted I) lowercase to a letter plus a combining mark.
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .split(NON_WORD)
    .filter((token) => token.length > 0);
}

/** FNV-1a over the UTF-16 code units of `text[start, end)`, continuing from `hash`. */
function fnv1a(hash: number, text: string, start = 0, end = text.length): number {
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash;
}

/**
 * murmur3's finaliser: FNV-1a's low bits depend only on the low bits of each character, and the slot is taken
 * modulo the dimension; mixing every bit into every other spreads slots and signs evenly.
 */
function finalize(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
