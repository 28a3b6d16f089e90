import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Call } from './call.entity';

export type TurnRole = 'caller' | 'agent' | 'system' | 'tool';

/** Per-stage latencies of a turn, in milliseconds (the voice pipeline fills what it measures). */
export interface TurnLatency {
  endOfSpeechToFinalTranscriptMs?: number;
  toFirstLlmTokenMs?: number;
  toFirstTtsAudioMs?: number;
  toFirstAudioSentMs?: number;
}

@Entity('call_turns')
@Index('call_turns_call_index_key', ['callId', 'index'], { unique: true })
@Check('call_turns_role_check', `"role" IN ('caller', 'agent', 'system', 'tool')`)
@Check('call_turns_index_check', `"index" >= 0`)
export class CallTurn {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'call_id', type: 'uuid' })
  callId: string;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id' })
  call?: Call;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'integer' })
  index: number;

  @Column({ type: 'varchar', length: 8 })
  role: TurnRole;

  /** Null while untranscribed (a detected utterance without speech-to-text). */
  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  latency: TurnLatency;

  @Column({ type: 'real', nullable: true })
  sentiment: number | null;

  @Column({ type: 'boolean', default: false })
  interrupted: boolean;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;
}
