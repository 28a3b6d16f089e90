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
import { Agent } from '../../agent/agents/agent.entity';

export const TELEPHONY_PROVIDERS = ['twilio', 'telnyx', 'asterisk'] as const;
export type TelephonyProvider = (typeof TELEPHONY_PROVIDERS)[number];

@Entity('phone_numbers')
@Index('phone_numbers_organization_id_idx', ['organizationId'])
@Check('phone_numbers_e164_check', `"e164" ~ '^\\+[1-9][0-9]{6,14}$'`)
@Check('phone_numbers_provider_check', `"provider" IN ('twilio', 'telnyx', 'asterisk')`)
export class PhoneNumber {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 16, unique: true })
  e164: string;

  @Column({ type: 'varchar', length: 16, default: 'twilio' })
  provider: TelephonyProvider;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  @ManyToOne(() => Agent, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
