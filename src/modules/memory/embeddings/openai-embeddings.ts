import OpenAI from 'openai';
import { ExternalProviderError, ProviderMismatchError } from '../../../common/errors/domain-error';
import type { ProviderPolicy } from '../../../common/resilience/provider-policy';
import { Embeddings, EmbeddingSpace } from './embeddings';

// Inputs per request: well under every compatible server's limit, few enough round trips for a document.
const BATCH_SIZE = 64;

/**
 * Embeddings from OpenAI or any compatible server (Ollama, vLLM, text-embeddings-inference) through
 * OPENAI_BASE_URL. OpenAI's text-embedding-3 models are asked for the configured dimension; other models must
 * already produce it, or every call is refused rather than storing vectors of the wrong length.
 */
export class OpenAiEmbeddings extends Embeddings {
  readonly space: EmbeddingSpace;
  private readonly asksForDimensions: boolean;

  constructor(
    private readonly client: OpenAI,
    model: string,
    dimensions: number,
    private readonly policy: ProviderPolicy,
  ) {
    super();
    this.space = { model, dimensions };
    this.asksForDimensions = model.startsWith('text-embedding-3');
  }

  async embed(
    texts: readonly string[],
    options: { signal?: AbortSignal } = {},
  ): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let offset = 0; offset < texts.length; offset += BATCH_SIZE) {
      const input = texts.slice(offset, offset + BATCH_SIZE);
      const response = await this.policy.execute(
        ({ signal }) =>
          this.client.embeddings.create(
            {
              model: this.space.model,
              input,
              ...(this.asksForDimensions && { dimensions: this.space.dimensions }),
            },
            { signal, maxRetries: 0 },
          ),
        { signal: options.signal },
      );
      const ordered = [...response.data].sort((a, b) => a.index - b.index);
      if (ordered.length !== input.length) {
        throw new ExternalProviderError(
          'openai-embeddings',
          `asked for ${input.length} embeddings, got ${ordered.length}`,
        );
      }
      for (const item of ordered) {
        if (item.embedding.length !== this.space.dimensions) {
          // A configuration mismatch: no retry will change the model's output length.
          throw new ProviderMismatchError(
            'openai-embeddings',
            `${this.space.model} returned ${item.embedding.length} dimensions, EMBEDDING_DIMENSIONS is ${this.space.dimensions}`,
          );
        }
        vectors.push(normalise(item.embedding));
      }
    }
    return vectors;
  }
}

/** Cosine distance assumes nothing, but self-hosted models do not all normalise: make every vector unit length. */
function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}
