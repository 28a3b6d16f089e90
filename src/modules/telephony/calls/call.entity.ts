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
import { AgentVariant } from '../../agent/agents/agent-variant.entity';
import { Agent } from '../../agent/agents/agent.entity';
import { Customer } from '../customers/customer.entity';
import type { TelephonyProvider } from '../phone-numbers/phone-number.entity';
import type { CallStatus } from './call-status';

export type CallDirection = 'inbound' | 'outbound';

const E164 = `'^\\+[1-9][0-9]{6,14}$'`;

@Entity('calls')
@Index('calls_provider_call_id_key', ['provider', 'providerCallId'], { unique: true })
@Index('calls_organization_created_idx', ['organizationId', 'createdAt'])
@Index('calls_organization_status_idx', ['organizationId', 'status'])
@Index('calls_organization_agent_idx', ['organizationId', 'agentId'])
@Index('calls_organization_from_idx', ['organizationId', 'fromNumber'])
@Index('calls_organization_to_idx', ['organizationId', 'toNumber'])
@Check('calls_attempt_number_check', `"attempt_number" >= 1`)
@Check('calls_max_attempts_check', `"max_attempts" >= 1 AND "attempt_number" <= "max_attempts"`)
@Check('calls_timeout_check', `"timeout_seconds" > 0`)
// Callers may withhold their number; that one non-E.164 value is stored as 'anonymous'.
@Check('calls_from_e164_check', `"from_number" ~ ${E164} OR "from_number" = 'anonymous'`)
@Check('calls_to_e164_check', `"to_number" ~ ${E164}`)
@Check('calls_direction_check', `"direction" IN ('inbound', 'outbound')`)
@Check(
  'calls_status_check',
  `"status" IN ('queued', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled')`,
)
export class Call {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 16 })
  provider: TelephonyProvider;

  @Column({ name: 'provider_call_id', type: 'varchar', length: 64, nullable: true })
  providerCallId: string | null;

  @Column({ type: 'varchar', length: 8 })
  direction: CallDirection;

  @Column({ name: 'from_number', type: 'varchar', length: 16 })
  fromNumber: string;

  @Column({ name: 'to_number', type: 'varchar', length: 16 })
  toNumber: string;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent | null;

  /** The A/B variant of the agent this call got (null: the agent has no variants). */
  @Column({ name: 'variant_id', type: 'uuid', nullable: true })
  variantId: string | null;

  @ManyToOne(() => AgentVariant, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'variant_id' })
  variant?: AgentVariant | null;

  @Column({ name: 'customer_id', type: 'uuid', nullable: true })
  customerId: string | null;

  @ManyToOne(() => Customer, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'customer_id' })
  customer?: Customer | null;

  @Column({ type: 'varchar', length: 16 })
  status: CallStatus;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds: number | null;

  @Column({ name: 'turn_count', type: 'integer', default: 0 })
  turnCount: number;

  @Column({ name: 'attempt_number', type: 'integer', default: 1 })
  attemptNumber: number;

  @Column({ name: 'max_attempts', type: 'integer', default: 1 })
  maxAttempts: number;

  @Column({ name: 'timeout_seconds', type: 'integer', default: 30 })
  timeoutSeconds: number;

  @Column({ name: 'end_reason', type: 'varchar', length: 64, nullable: true })
  endReason: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  // Millisecond precision, as JavaScript dates have: keyset cursors compare it exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
