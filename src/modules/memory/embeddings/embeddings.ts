/** Which model made a vector, and how long it is: stored with every vector so spaces are never mixed. */
export interface EmbeddingSpace {
  readonly model: string;
  readonly dimensions: number;
}

/** Turns text into vectors for the knowledge base, caller memory and learned patterns. */
export abstract class Embeddings {
  abstract readonly space: EmbeddingSpace;

  /** One L2-normalised vector of `space.dimensions` numbers per input text, in input order. */
  abstract embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
}
