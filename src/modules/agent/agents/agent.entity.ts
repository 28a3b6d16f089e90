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

/** A configured voice agent: who answers a phone number and how. The Agent module extends it. */
@Entity('agents')
@Index('agents_organization_id_idx', ['organizationId'])
@Check('agents_max_turns_check', `"max_turns" BETWEEN 1 AND 200`)
@Check(
  'agents_transfer_number_check',
  `"transfer_number" IS NULL OR "transfer_number" ~ '^\\+[1-9][0-9]{6,14}$'`,
)
export class Agent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ name: 'system_prompt', type: 'text', default: '' })
  systemPrompt: string;

  @Column({ name: 'first_message', type: 'text', default: '' })
  firstMessage: string;

  @Column({ type: 'varchar', length: 100, default: 'default' })
  voice: string;

  @Column({ type: 'varchar', length: 16, default: 'en-US' })
  language: string;

  @Column({ name: 'tools_enabled', type: 'text', array: true, default: () => "'{}'" })
  toolsEnabled: string[];

  @Column({ name: 'max_turns', type: 'integer', default: 8 })
  maxTurns: number;

  @Column({ name: 'transfer_number', type: 'varchar', length: 16, nullable: true })
  transferNumber: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
