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

/**
 * What has worked for one kind of call: a persona and tool set, how often it was used and how often the call
 * succeeded, and the centroid of the calls' contexts (so a recommendation can favour similar calls).
 */
@Entity('learned_patterns')
@Index('learned_patterns_signature_key', ['organizationId', 'callType', 'signature'], {
  unique: true,
})
@Check('learned_patterns_counts_check', `"success_count" BETWEEN 0 AND "usage_count"`)
export class LearnedPattern {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ name: 'call_type', type: 'varchar', length: 40 })
  callType: string;

  /** SHA-256 of persona and tools: one pattern per combination. */
  @Column({ type: 'varchar', length: 64 })
  signature: string;

  @Column({ type: 'text' })
  persona: string;

  @Column({ type: 'text', array: true })
  tools: string[];

  @Column({ name: 'context_embedding', type: 'vector', nullable: true, select: false })
  contextEmbedding?: number[] | null;

  @Column({ name: 'embedding_model', type: 'varchar', length: 100, nullable: true })
  embeddingModel: string | null;

  @Column({ name: 'success_count', type: 'integer', default: 0 })
  successCount: number;

  @Column({ name: 'usage_count', type: 'integer', default: 0 })
  usageCount: number;

  @Column({ name: 'success_rate', type: 'real', default: 0 })
  successRate: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
