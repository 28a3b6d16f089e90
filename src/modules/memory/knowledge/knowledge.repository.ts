import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { KeysetPosition } from '../../../common/pagination/cursor';
import { otherEmbeddingSpace, toVectorParameter, vectorType } from '../../../database/vector';
import type { EmbeddingSpace } from '../embeddings/embeddings';
import type { TextChunk } from './text-chunker';
import { KnowledgeChunk } from './knowledge-chunk.entity';
import { DocumentFormat, KnowledgeDocument } from './knowledge-document.entity';

export interface ChunkHit {
  chunkId: string;
  documentId: string;
  title: string;
  heading: string | null;
  content: string;
  /** Cosine distance, 0 (same direction) .. 2. */
  distance: number;
}

/** Knowledge documents and their embedded chunks, always within one organization. */
@Injectable()
export class KnowledgeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get documents() {
    return this.dataSource.getRepository(KnowledgeDocument);
  }

  createDocument(
    organizationId: string,
    fields: { title: string; format: DocumentFormat; content: string },
  ): Promise<KnowledgeDocument> {
    return this.documents.save(
      this.documents.create({
        ...fields,
        organizationId,
        contentBytes: Buffer.byteLength(fields.content),
      }),
    );
  }

  findDocument(organizationId: string, id: string): Promise<KnowledgeDocument | null> {
    return this.documents.findOneBy({ organizationId, id });
  }

  /** The document with its source text, for ingestion. */
  findDocumentWithContent(id: string): Promise<KnowledgeDocument | null> {
    return this.documents
      .createQueryBuilder('document')
      .addSelect('document.content')
      .where('document.id = :id', { id })
      .getOne();
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  listDocuments(organizationId: string, limit: number, after?: KeysetPosition) {
    const query = this.documents
      .createQueryBuilder('document')
      .where('document.organization_id = :organizationId', { organizationId })
      .orderBy('document.created_at', 'DESC')
      .addOrderBy('document.id', 'DESC')
      .take(limit);
    if (after) query.andWhere('(document.created_at, document.id) < (:at, :id)', after);
    return query.getMany();
  }

  async deleteDocument(organizationId: string, id: string): Promise<boolean> {
    const result = await this.documents.delete({ organizationId, id });
    return (result.affected ?? 0) > 0;
  }

  /** Ingestion starts (or resumes): the chunking and the space its vectors will be in. */
  async startIngestion(id: string, chunkCount: number, space: EmbeddingSpace): Promise<void> {
    await this.documents.update(
      { id },
      {
        status: 'processing',
        chunkCount,
        embeddingModel: space.model,
        embeddingDimensions: space.dimensions,
        error: null,
      },
    );
  }

  /** Chunks already stored for a document (ingestion resumes after them). */
  async countChunks(documentId: string): Promise<number> {
    return this.dataSource.getRepository(KnowledgeChunk).countBy({ documentId });
  }

  /** Stores a batch of embedded chunks and moves the progress on, together. */
  async insertChunks(
    document: Pick<KnowledgeDocument, 'id' | 'organizationId'>,
    chunks: readonly TextChunk[],
    vectors: readonly number[][],
    space: EmbeddingSpace,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (let i = 0; i < chunks.length; i++) {
        await manager.query(
          `INSERT INTO knowledge_chunks
             (organization_id, document_id, index, heading, content, token_estimate, embedding, embedding_model, embedding_dimensions)
           VALUES ($1, $2, $3, $4, $5, $6, $7::vector, $8, $9)
           ON CONFLICT (document_id, index) DO NOTHING`,
          [
            document.organizationId,
            document.id,
            chunks[i].index,
            chunks[i].heading ?? null,
            chunks[i].text,
            chunks[i].tokenEstimate,
            toVectorParameter(vectors[i]),
            space.model,
            space.dimensions,
          ],
        );
      }
      await manager.query(
        `UPDATE knowledge_documents SET chunks_embedded = (SELECT count(*) FROM knowledge_chunks WHERE document_id = $1),
                updated_at = now()
         WHERE id = $1`,
        [document.id],
      );
    });
  }

  async markReady(id: string): Promise<void> {
    await this.documents.update({ id }, { status: 'ready', completedAt: new Date(), error: null });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.documents.update({ id }, { status: 'failed', completedAt: new Date(), error });
  }

  /** A vector space other than `space` that this organization's knowledge is already in, if any. */
  otherSpace(organizationId: string, space: EmbeddingSpace): Promise<EmbeddingSpace | undefined> {
    return otherEmbeddingSpace(this.dataSource, 'knowledge_chunks', organizationId, space);
  }

  /** The organization's chunks nearest to `vector` (cosine), through the HNSW index of its dimension. */
  search(organizationId: string, vector: readonly number[], space: EmbeddingSpace, limit: number) {
    const type = vectorType(space.dimensions);
    return this.dataSource.query<ChunkHit[]>(
      `SELECT hit.id AS "chunkId", hit.document_id AS "documentId", document.title, hit.heading, hit.content,
                hit.distance
         FROM (
           SELECT id, document_id, heading, content, embedding::${type} <=> $3::${type} AS distance
           FROM knowledge_chunks
           WHERE organization_id = $1 AND embedding_model = $2 AND embedding_dimensions = $4
           ORDER BY embedding::${type} <=> $3::${type}
           LIMIT $5
         ) hit
         JOIN knowledge_documents document ON document.id = hit.document_id
         ORDER BY hit.distance`,
      [organizationId, space.model, toVectorParameter(vector), space.dimensions, limit],
    );
  }
}
