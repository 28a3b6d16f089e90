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

/** A configured voice agent: who answers a phone number and how. */
@Entity('agents')
@Index('agents_organization_id_idx', ['organizationId'])
@Check('agents_max_turns_check', `"max_turns" BETWEEN 1 AND 200`)
@Check(
  'agents_stt_provider_check',
  `"stt_provider" IS NULL OR "stt_provider" IN ('deepgram', 'openai')`,
)
@Check(
  'agents_tts_provider_check',
  `"tts_provider" IS NULL OR "tts_provider" IN ('cartesia', 'openai', 'local')`,
)
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

  /** How the agent comes across (tone, manner), kept apart from the task so variants and insights can vary it. */
  @Column({ type: 'text', default: '' })
  persona: string;

  /** What kind of calls it handles (support, sales, scheduling...): learned patterns are kept per call type. */
  @Column({ name: 'call_type', type: 'varchar', length: 40, default: 'general' })
  callType: string;

  /** The chat model; null: OPENAI_CHAT_MODEL. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  model: string | null;

  @Column({ name: 'first_message', type: 'text', default: '' })
  firstMessage: string;

  @Column({ type: 'varchar', length: 100, default: 'default' })
  voice: string;

  @Column({ type: 'varchar', length: 16, default: 'en-US' })
  language: string;

  @Column({ name: 'tools_enabled', type: 'text', array: true, default: () => "'{}'" })
  toolsEnabled: string[];

  /** Speech-to-text for this agent's calls (deepgram, openai); null: the process default (STT_PROVIDER). */
  @Column({ name: 'stt_provider', type: 'varchar', length: 16, nullable: true })
  sttProvider: string | null;

  /** First text-to-speech of this agent's chain (cartesia, openai, local); null: TTS_PROVIDER. */
  @Column({ name: 'tts_provider', type: 'varchar', length: 16, nullable: true })
  ttsProvider: string | null;

  @Column({ name: 'max_turns', type: 'integer', default: 8 })
  maxTurns: number;

  @Column({ name: 'transfer_number', type: 'varchar', length: 16, nullable: true })
  transferNumber: string | null;

  // Millisecond precision, as JavaScript dates have: keyset cursors compare it exactly.
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
