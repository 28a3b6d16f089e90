import type { Agent } from '../agents/agent.entity';

export interface ConversationTurn {
  role: 'caller' | 'agent';
  text: string;
}

export interface ResponseRequest {
  agent: Agent | null;
  /** Earlier turns of this call, oldest first. */
  history: readonly ConversationTurn[];
  callerInput: string;
  /** Aborting stops generation at once (barge-in, hang-up). */
  signal?: AbortSignal;
}

/** The agent's brain: streams the reply to one caller input as text deltas. */
export abstract class ConversationResponder {
  abstract readonly name: string;
  abstract respond(request: ResponseRequest): AsyncIterable<string>;
}
