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
import { Call } from '../../telephony/calls/call.entity';
import { Customer } from '../../telephony/customers/customer.entity';

export const MEMORY_KINDS = ['fact', 'preference', 'issue', 'summary'] as const;
export type MemoryKind = (typeof MEMORY_KINDS)[number];

/** Something the agent knows about one caller, recalled by meaning in later calls. */
@Entity('customer_memories')
@Index('customer_memories_customer_created_idx', ['organizationId', 'customerId', 'createdAt'])
@Index('customer_memories_organization_model_idx', ['organizationId', 'embeddingModel'])
@Check('customer_memories_kind_check', `"kind" IN ('fact', 'preference', 'issue', 'summary')`)
@Check('customer_memories_importance_check', `"importance" BETWEEN 0 AND 1`)
@Check('customer_memories_dimensions_check', `vector_dims("embedding") = "embedding_dimensions"`)
@HnswIndexes('customer_memories')
export class CustomerMemory {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => Customer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer;

  @Column({ type: 'text' })
  content: string;

  @Column({ type: 'varchar', length: 12 })
  kind: MemoryKind;

  /** 0..1: how much it should weigh in recall against similarity and recency. */
  @Column({ type: 'real', default: 0.5 })
  importance: number;

  @Column({ name: 'source_call_id', type: 'uuid', nullable: true })
  sourceCallId: string | null;

  @ManyToOne(() => Call, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'source_call_id' })
  sourceCall?: Call | null;

  @Column({ type: 'vector', select: false })
  embedding?: number[];

  @Column({ name: 'embedding_model', type: 'varchar', length: 100 })
  embeddingModel: string;

  @Column({ name: 'embedding_dimensions', type: 'integer' })
  embeddingDimensions: number;

  // Millisecond precision, as JavaScript dates have: keyset cursors compare it exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
