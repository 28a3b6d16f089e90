import type { z } from 'zod';
import type { Agent } from '../agents/agent.entity';

export const TOOL_NAMES = [
  'calculator',
  'knowledge_search',
  'remember',
  'transfer_to_human',
  'end_call',
  'web_search',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** What the call does after the agent's reply has been heard. */
export type CallAction = { kind: 'end_call'; reason: string } | { kind: 'transfer'; to: string };

export interface ToolContext {
  organizationId: string;
  agent: Agent;
  customerId: string | null;
  callId: string | null;
  channel: 'phone' | 'chat';
  signal: AbortSignal;
}

export interface ToolOutcome {
  /** What the model is told (JSON text). */
  content: string;
  /** Set by tools that act on the call; the voice pipeline carries it out once the reply has played. */
  action?: CallAction;
}

/**
 * One tool the agent may call. Parameters are a zod schema: validated on the way in, and offered to the model
 * as JSON schema. `fallback` is what the caller hears when the tool fails or times out.
 */
export interface AgentTool<P = unknown> {
  readonly name: ToolName;
  readonly description: string;
  readonly parameters: z.ZodType<P>;
  readonly fallback: string;
  /** Whether it can run for this conversation (configured, a caller known...): if not, it is not offered. */
  available(context: Omit<ToolContext, 'signal'>): boolean;
  run(args: P, context: ToolContext): Promise<ToolOutcome>;
}

/** A tool failure with a stable code, recorded on the `tool` turn. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
