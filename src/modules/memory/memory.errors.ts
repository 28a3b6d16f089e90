import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import type { EmbeddingSpace } from './embeddings/embeddings';

/** The memory module's error codes, in one place so clients can rely on them. */
export const MemoryErrors = {
  documentNotFound: () =>
    new NotFoundError('Knowledge document not found', 'KNOWLEDGE_DOCUMENT_NOT_FOUND'),
  customerNotFound: () => new NotFoundError('Customer not found', 'CUSTOMER_NOT_FOUND'),
  memoryNotFound: () => new NotFoundError('Memory not found', 'MEMORY_NOT_FOUND'),
  /** Vectors of two models (or lengths) are not comparable: searching across them would return noise. */
  embeddingSpaceMismatch: (what: string, stored: EmbeddingSpace, current: EmbeddingSpace) =>
    new ConflictError(
      `${what} holds vectors of ${stored.model} (${stored.dimensions} dimensions) but this server embeds with ` +
        `${current.model} (${current.dimensions}); mixing models is refused. Delete and re-ingest, or switch back.`,
      'EMBEDDING_MODEL_MISMATCH',
      { stored, current },
    ),
};
