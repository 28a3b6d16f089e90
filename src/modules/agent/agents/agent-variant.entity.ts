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
import { Agent } from './agent.entity';

/**
 * One arm of an agent's A/B experiment: what it changes (null fields keep the agent's own) and how often it is
 * chosen, relative to the other variants' weights. A call records the variant it got.
 */
@Entity('agent_variants')
@Index('agent_variants_agent_name_key', ['agentId', 'name'], { unique: true })
@Index('agent_variants_organization_id_idx', ['organizationId'])
@Check('agent_variants_weight_check', `"weight" BETWEEN 0 AND 1000`)
export class AgentVariant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;

  @Column({ type: 'varchar', length: 60 })
  name: string;

  @Column({ type: 'integer', default: 1 })
  weight: number;

  @Column({ name: 'system_prompt', type: 'text', nullable: true })
  systemPrompt: string | null;

  @Column({ type: 'text', nullable: true })
  persona: string | null;

  @Column({ name: 'first_message', type: 'text', nullable: true })
  firstMessage: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  voice: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  model: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
