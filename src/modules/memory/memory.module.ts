import { Module } from '@nestjs/common';
import { CustomerMemoriesController } from './customer-memory/customer-memories.controller';
import { CustomerMemoriesRepository } from './customer-memory/customer-memories.repository';
import { CustomerMemoryService } from './customer-memory/customer-memory.service';
import { Embeddings } from './embeddings/embeddings';
import { embeddingsProvider } from './embeddings/embeddings.providers';
import { KnowledgeIngestionJob } from './knowledge/knowledge-ingestion.job';
import { KnowledgeController } from './knowledge/knowledge.controller';
import { KnowledgeRepository } from './knowledge/knowledge.repository';
import { KnowledgeService } from './knowledge/knowledge.service';
import { InsightsController } from './patterns/insights.controller';
import { InsightsService } from './patterns/insights.service';
import { LearnedPatternsRepository } from './patterns/learned-patterns.repository';

/** The knowledge base, caller memory and learned patterns, on PostgreSQL + pgvector. */
@Module({
  controllers: [KnowledgeController, CustomerMemoriesController, InsightsController],
  providers: [
    embeddingsProvider,
    KnowledgeRepository,
    KnowledgeService,
    KnowledgeIngestionJob,
    CustomerMemoriesRepository,
    CustomerMemoryService,
    LearnedPatternsRepository,
    InsightsService,
  ],
  exports: [Embeddings, KnowledgeService, CustomerMemoryService, InsightsService],
})
export class MemoryModule {}
