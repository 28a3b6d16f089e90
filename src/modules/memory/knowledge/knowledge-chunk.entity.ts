import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { HnswIndexes } from '../../../database/vector';
import { KnowledgeDocument } from './knowledge-document.entity';

/** A retrievable piece of a document with its embedding (and the model that made it). */
@Entity('knowledge_chunks')
@Index('knowledge_chunks_document_index_key', ['documentId', 'index'], { unique: true })
@Index('knowledge_chunks_organization_model_idx', ['organizationId', 'embeddingModel'])
@Check('knowledge_chunks_dimensions_check', `vector_dims("embedding") = "embedding_dimensions"`)
@HnswIndexes('knowledge_chunks')
export class KnowledgeChunk {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'document_id', type: 'uuid' })
  documentId: string;

  @ManyToOne(() => KnowledgeDocument, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: KnowledgeDocument;

  @Column({ type: 'integer' })
  index: number;

  /** The section it came from (`Billing > Refunds`), for context in answers. */
  @Column({ type: 'text', nullable: true })
  heading: string | null;

  @Column({ type: 'text' })
  content: string;

  @Column({ name: 'token_estimate', type: 'integer' })
  tokenEstimate: number;

  @Column({ type: 'vector', select: false })
  embedding?: number[];

  @Column({ name: 'embedding_model', type: 'varchar', length: 100 })
  embeddingModel: string;

  @Column({ name: 'embedding_dimensions', type: 'integer' })
  embeddingDimensions: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
