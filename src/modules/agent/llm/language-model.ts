import type { Agent } from '../agents/agent.entity';

/** A tool invocation the model asked for; `arguments` is the model's JSON text, validated by the tool. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

/** A tool as offered to the model: its name, what it is for and its JSON-schema parameters. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface KnowledgeHit {
  documentId: string;
  title: string;
  heading?: string;
  text: string;
  /** Cosine similarity, 0..1. */
  score: number;
}

export interface RecalledMemory {
  id: string;
  kind: 'fact' | 'preference' | 'issue' | 'summary';
  content: string;
  createdAt: Date;
  /** Similarity, importance and recency combined, 0..1. */
  score: number;
}

/** What was retrieved for this turn, structured: the OpenAI adapter sees it rendered in the system prompt. */
export interface RetrievedContext {
  knowledge: readonly KnowledgeHit[];
  memories: readonly RecalledMemory[];
}

export interface GenerationRequest {
  agent: Pick<Agent, 'name' | 'persona' | 'transferNumber'>;
  /** The chat model to use (the agent's or its variant's); adapters without a choice ignore it. */
  model?: string;
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  context: RetrievedContext;
  channel: 'phone' | 'chat';
  signal?: AbortSignal;
}

export type GenerationEvent =
  { type: 'text'; text: string } | { type: 'tool_call'; call: ToolCall };

/**
 * The agent's brain: streams a reply to the conversation so far as text deltas and/or tool calls. A reply
 * that calls tools is continued by a new `generate` with the tools' results appended as `tool` messages.
 */
export abstract class LanguageModel {
  abstract readonly name: string;
  abstract generate(request: GenerationRequest): AsyncIterable<GenerationEvent>;
}
