import { Injectable } from '@nestjs/common';
import { JobRunner } from '../../../common/jobs/job-runner.service';
import { decodeCursor, Page, toPage } from '../../../common/pagination/cursor';
import type { PageQuery } from '../../../common/pagination/page-query.dto';
import { Embeddings } from '../embeddings/embeddings';
import { MemoryErrors } from '../memory.errors';
import type { CreateKnowledgeDocumentDto } from './dto/knowledge.dto';
import type { KnowledgeDocument } from './knowledge-document.entity';
import { KnowledgeRepository } from './knowledge.repository';

export const KNOWLEDGE_INGEST_JOB = 'knowledge.ingest';

export interface KnowledgeSearchResult {
  documentId: string;
  chunkId: string;
  title: string;
  heading: string | null;
  content: string;
  /** Cosine similarity, 0..1 (1 - distance, clamped). */
  score: number;
}

/** The organization's knowledge base: documents in, chunks embedded in the background, searched by meaning. */
@Injectable()
export class KnowledgeService {
  constructor(
    private readonly knowledge: KnowledgeRepository,
    private readonly embeddings: Embeddings,
    private readonly jobs: JobRunner,
  ) {}

  /** Stores the document and queues its ingestion; it is searchable as its chunks get embedded. */
  async create(
    organizationId: string,
    input: CreateKnowledgeDocumentDto,
  ): Promise<KnowledgeDocument> {
    await this.assertSameSpace(organizationId);
    const document = await this.knowledge.createDocument(organizationId, {
      title: input.title,
      format: input.format ?? 'text',
      content: input.content,
    });
    await this.jobs.enqueue({
      type: KNOWLEDGE_INGEST_JOB,
      dedupeKey: document.id,
      organizationId,
      payload: { documentId: document.id },
    });
    delete document.content;
    return document;
  }

  async get(organizationId: string, id: string): Promise<KnowledgeDocument> {
    const document = await this.knowledge.findDocument(organizationId, id);
    if (!document) throw MemoryErrors.documentNotFound();
    return document;
  }

  async list(organizationId: string, query: PageQuery): Promise<Page<KnowledgeDocument>> {
    const limit = query.limit ?? 25;
    const rows = await this.knowledge.listDocuments(
      organizationId,
      limit + 1,
      decodeCursor(query.cursor),
    );
    return toPage(rows, limit, (document) => ({ at: document.createdAt, id: document.id }));
  }

  /** Deletes the document and its chunks (an ingestion in progress notices and stops). */
  async remove(organizationId: string, id: string): Promise<void> {
    if (!(await this.knowledge.deleteDocument(organizationId, id)))
      throw MemoryErrors.documentNotFound();
  }

  async search(organizationId: string, query: string, limit = 5): Promise<KnowledgeSearchResult[]> {
    await this.assertSameSpace(organizationId);
    const [vector] = await this.embeddings.embed([query]);
    return this.searchVector(organizationId, vector, limit);
  }

  /** Search with a query already embedded (by this process's Embeddings), e.g. shared with memory recall. */
  async searchVector(
    organizationId: string,
    vector: readonly number[],
    limit: number,
  ): Promise<KnowledgeSearchResult[]> {
    const hits = await this.knowledge.search(organizationId, vector, this.embeddings.space, limit);
    return hits.map((hit) => ({
      documentId: hit.documentId,
      chunkId: hit.chunkId,
      title: hit.title,
      heading: hit.heading,
      content: hit.content,
      score: Math.max(0, Math.min(1, 1 - Number(hit.distance))),
    }));
  }

  private async assertSameSpace(organizationId: string): Promise<void> {
    const space = this.embeddings.space;
    const stored = await this.knowledge.otherSpace(organizationId, space);
    if (stored) throw MemoryErrors.embeddingSpaceMismatch('Your knowledge base', stored, space);
  }
}
