import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Organization } from '../../auth/organizations/organization.entity';

export const DOCUMENT_FORMATS = ['text', 'markdown'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];
export const DOCUMENT_STATUSES = ['pending', 'processing', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** A knowledge-base document: its source is kept so ingestion can resume (or be redone) after a restart. */
@Entity('knowledge_documents')
@Index('knowledge_documents_organization_created_idx', ['organizationId', 'createdAt'])
@Check('knowledge_documents_format_check', `"format" IN ('text', 'markdown')`)
@Check(
  'knowledge_documents_status_check',
  `"status" IN ('pending', 'processing', 'ready', 'failed')`,
)
export class KnowledgeDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 10 })
  format: DocumentFormat;

  @Column({ type: 'text', select: false })
  content?: string;

  @Column({ name: 'content_bytes', type: 'integer' })
  contentBytes: number;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: DocumentStatus;

  /** Chunks the document was cut into (0 until chunked) and how many of them are embedded: the progress. */
  @Column({ name: 'chunk_count', type: 'integer', default: 0 })
  chunkCount: number;

  @Column({ name: 'chunks_embedded', type: 'integer', default: 0 })
  chunksEmbedded: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'embedding_model', type: 'varchar', length: 100, nullable: true })
  embeddingModel: string | null;

  @Column({ name: 'embedding_dimensions', type: 'integer', nullable: true })
  embeddingDimensions: number | null;

  // Millisecond precision, as JavaScript dates have: keyset cursors compare it exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
