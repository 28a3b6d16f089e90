import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
} from 'typeorm';
import { Call } from '../../telephony/calls/call.entity';
import { LearnedPattern } from './learned-pattern.entity';

/** Which call counted towards which pattern: each call counts once, and a pattern's figures can be audited. */
@Entity('learned_pattern_outcomes')
@Index('learned_pattern_outcomes_pattern_idx', ['patternId'])
export class LearnedPatternOutcome {
  @PrimaryColumn({ name: 'call_id', type: 'uuid' })
  callId: string;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id' })
  call?: Call;

  @Column({ name: 'pattern_id', type: 'uuid' })
  patternId: string;

  @ManyToOne(() => LearnedPattern, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pattern_id' })
  pattern?: LearnedPattern;

  @Column({ type: 'boolean' })
  success: boolean;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}
