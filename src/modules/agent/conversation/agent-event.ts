import type { CallAction } from '../tools/agent-tool';

/** What a reply is made of, as it happens: spoken text, tool use, what the call should do next. */
export type AgentEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id: string; name: string; arguments: string }
  | {
      type: 'tool_result';
      id: string;
      name: string;
      ok: true;
      result: string;
      durationMs: number;
    }
  | {
      type: 'tool_result';
      id: string;
      name: string;
      ok: false;
      code: string;
      message: string;
      durationMs: number;
    }
  | { type: 'action'; action: CallAction }
  /** The language model failed; the local agent answered instead (or the reply was cut short). */
  | { type: 'fallback'; from: string; reason: string };

/** How a conversation ended, for the caller's memory and the learned patterns. */
export interface ConversationOutcome {
  reason: string;
  /** The conversation reached a normal end (caller or agent hung up, turn limit), not a failure. */
  completed: boolean;
  averageSentiment: number | null;
}
