import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  isPermanentJobError,
  JobContext,
  JobRunner,
  PermanentJobError,
} from '../../../common/jobs/job-runner.service';
import { publicMessageOf } from '../../../common/errors/domain-error';
import { Embeddings } from '../embeddings/embeddings';
import { chunkDocument } from './text-chunker';
import { KNOWLEDGE_INGEST_JOB } from './knowledge.service';
import { KnowledgeRepository } from './knowledge.repository';

// Chunks embedded and stored per step: one provider request and one transaction, and a progress update.
const BATCH = 32;

/**
 * Ingests one document: chunks it, embeds the chunks in batches and stores them, moving the document's
 * progress (`chunksEmbedded` of `chunkCount`) as it goes. Resumable: a retried or taken-over job continues
 * after the chunks already stored. A provider outage is retried by the job queue; a document that cannot be
 * ingested ends `failed` with the reason.
 */
@Injectable()
export class KnowledgeIngestionJob implements OnModuleInit {
  private readonly logger = new Logger('KnowledgeIngestion');

  constructor(
    private readonly runner: JobRunner,
    private readonly knowledge: KnowledgeRepository,
    private readonly embeddings: Embeddings,
  ) {}

  onModuleInit(): void {
    this.runner.register(KNOWLEDGE_INGEST_JOB, {
      run: (context) => this.run(context),
      leaseMs: 10 * 60_000,
    });
  }

  private async run({ job, signal }: JobContext): Promise<void> {
    const documentId = job.payload.documentId as string;
    const document = await this.knowledge.findDocumentWithContent(documentId);
    if (!document) return; // deleted meanwhile: nothing to do
    const space = this.embeddings.space;
    try {
      const chunks = chunkDocument(document.content ?? '', { format: document.format });
      if (chunks.length === 0) throw new PermanentJobError('the document has no text to index');
      const other = await this.knowledge.otherSpace(document.organizationId, space);
      if (other) {
        throw new PermanentJobError(
          `the knowledge base holds vectors of ${other.model} (${other.dimensions}); this server embeds with ${space.model} (${space.dimensions})`,
        );
      }
      await this.knowledge.startIngestion(document.id, chunks.length, space);
      const done = await this.knowledge.countChunks(document.id);
      this.logger.log(
        `Ingesting "${document.title}" (${document.id}): ${chunks.length} chunks${done ? `, resuming after ${done}` : ''}`,
      );
      for (let offset = done; offset < chunks.length; offset += BATCH) {
        if (signal.aborted) return;
        // Deleted while we worked: stop quietly (its chunks went with it).
        if (!(await this.knowledge.findDocument(document.organizationId, document.id))) return;
        const batch = chunks.slice(offset, offset + BATCH);
        const vectors = await this.embeddings.embed(
          batch.map((chunk) => (chunk.heading ? `${chunk.heading}: ${chunk.text}` : chunk.text)),
          { signal },
        );
        await this.knowledge.insertChunks(document, batch, vectors, space);
      }
      await this.knowledge.markReady(document.id);
      this.logger.log(`Ingested "${document.title}" (${document.id}): ${chunks.length} chunks`);
    } catch (error) {
      const finalAttempt = isPermanentJobError(error) || job.attempts >= job.maxAttempts;
      if (finalAttempt && !signal.aborted) {
        // Our own reasons are for the tenant; a provider's or the database's text stays in the job's log line.
        await this.knowledge.markFailed(
          document.id,
          error instanceof PermanentJobError
            ? error.message
            : publicMessageOf(error, 'the document could not be indexed'),
        );
      }
      throw error;
    }
  }
}
