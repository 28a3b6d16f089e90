import type { Agent } from '../../agent/agents/agent.entity';
import type { CallTurn } from '../calls/call-turn.entity';
import type { NewTurn } from '../calls/calls.repository';

/** What a pipeline knows about the call it serves. */
export interface CallContext {
  callId: string;
  organizationId: string;
  customerId: string | null;
  from: string;
  to: string;
  /** The agent as this call gets it (its A/B variant applied). */
  agent: Agent | null;
  /** The A/B variant the call was assigned, if the agent has variants. */
  variantId: string | null;
  /** Caller turns after which the session ends the call politely. */
  maxTurns: number;
}

/** How a pipeline acts on the call: the CallSession implements it over the provider's media stream. */
export interface CallAudioSink {
  /** Queues 8 kHz mu-law audio for the caller; `mark` is echoed back through `onMark` once it has played. */
  play(audio: Buffer, mark?: string): void;
  /** Drops everything queued for the caller at once (barge-in). */
  clear(): void;
  /** Ends the call politely (after queued audio plays, when the provider allows). */
  hangup(reason: string): void;
  /** Hands the caller to a person at `to` (the provider dials and bridges); the media stream then ends. */
  transfer(to: string): Promise<void>;
  recordTurn(turn: NewTurn): Promise<CallTurn>;
  updateTurn(
    id: string,
    patch: Partial<
      Pick<CallTurn, 'text' | 'endedAt' | 'interrupted' | 'latency' | 'sentiment' | 'metadata'>
    >,
  ): Promise<void>;
  recordEvent(type: string, payload?: Record<string, unknown>): Promise<void>;
}

/** One call's voice processing: caller audio in, agent audio out. */
export interface VoicePipeline {
  start(): Promise<void>;
  /** One 20 ms frame (160 bytes) of caller audio, 8 kHz mu-law. */
  onAudio(frame: Buffer): void;
  onDtmf(digit: string): void;
  onMark(name: string): void;
  /** The call is over (whatever the reason); release everything. */
  close(reason: string): Promise<void>;
}

/** The port telephony calls for each stream; the Voice module binds its implementation. */
export abstract class VoicePipelineFactory {
  abstract create(context: CallContext, sink: CallAudioSink): VoicePipeline;
}
