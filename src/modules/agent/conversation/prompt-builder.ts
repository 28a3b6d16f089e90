import type { Agent } from '../agents/agent.entity';
import type {
  ChatMessage,
  KnowledgeHit,
  RecalledMemory,
  RetrievedContext,
} from '../llm/language-model';

/** Tokens are estimated, not counted: about 4 characters each in English, plus a little per message. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4;
}

const GUIDANCE = {
  phone:
    'You are speaking with a caller on the telephone. Answer in short, natural spoken sentences, without lists, ' +
    'markdown or symbols that cannot be read aloud.',
  chat: 'You are chatting in a test console that stands in for a phone call. Answer as you would speak on the phone.',
};
const TOOL_GUIDANCE =
  'Use your tools when they help. Never say an action happened unless a tool result says it did. ' +
  'If a tool fails, apologise briefly and offer another way.';
// Retrieved knowledge and memories may take at most this share of the budget; the conversation needs the rest.
const CONTEXT_SHARE = 0.4;

export interface PromptParts {
  agent: Pick<Agent, 'systemPrompt' | 'persona'>;
  channel: 'phone' | 'chat';
  /** Learned advice for this kind of call, when confident enough. */
  advice?: string;
  context: RetrievedContext;
  /** The conversation so far, oldest first, the current caller input last. */
  history: readonly ChatMessage[];
  budgetTokens: number;
  maxHistoryMessages: number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  /** What made it into the prompt, for the local model and for the record. */
  context: RetrievedContext;
  estimatedTokens: number;
  droppedHistory: number;
}

/**
 * Assembles what the model sees within the token budget: instructions (system prompt, persona, channel,
 * tools), then the retrieved context up to its share (best first), then as many of the most recent messages as
 * fit. The newest message (the caller's input, or the tool results being answered) always goes in, and a tool
 * exchange is never cut in half.
 */
export function buildPrompt(parts: PromptParts): BuiltPrompt {
  const instructions = [
    parts.agent.systemPrompt.trim(),
    parts.agent.persona.trim() && `Persona: ${parts.agent.persona.trim()}`,
    GUIDANCE[parts.channel],
    TOOL_GUIDANCE,
    parts.advice,
  ]
    .filter(Boolean)
    .join('\n\n');
  const pinned = pinnedTail(parts.history);
  const pinnedTokens = pinned.reduce((sum, message) => sum + estimateTokens(contentOf(message)), 0);
  const budget = Math.max(0, parts.budgetTokens - estimateTokens(instructions) - pinnedTokens);

  const context = fitContext(parts.context, Math.floor(budget * CONTEXT_SHARE));
  const contextText = renderContext(context);
  let remaining = budget - (contextText ? estimateTokens(contextText) : 0);

  const earlier = parts.history.slice(0, parts.history.length - pinned.length);
  const window: ChatMessage[] = [];
  const room = Math.max(0, parts.maxHistoryMessages - pinned.length);
  for (let i = earlier.length - 1; i >= 0 && window.length < room; i--) {
    const cost = estimateTokens(contentOf(earlier[i]));
    if (cost > remaining) break;
    remaining -= cost;
    window.unshift(earlier[i]);
  }
  // A tool result whose request was cut off would be refused by the model's API.
  while (window[0]?.role === 'tool') window.shift();

  const system = [instructions, contextText].filter(Boolean).join('\n\n');
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...window, ...pinned];
  return {
    messages,
    context,
    estimatedTokens: messages.reduce((sum, message) => sum + estimateTokens(contentOf(message)), 0),
    droppedHistory: earlier.length - window.length,
  };
}

/** The messages that must be sent: from the caller's latest input to the end (tool rounds of this reply). */
function pinnedTail(history: readonly ChatMessage[]): ChatMessage[] {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].role === 'user') return history.slice(i);
  }
  return history.slice(-1);
}

function contentOf(message: ChatMessage): string {
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return message.content + message.toolCalls.map((call) => call.name + call.arguments).join('');
  }
  return message.content;
}

const MEMORY_HEADER = 'What you remember about this caller from earlier calls:';
const KNOWLEDGE_HEADER =
  'Relevant passages from the knowledge base (answer from them; do not invent facts):';

/** Keeps the best memories and passages whose rendered lines (and section headers) fit in `tokens`. */
function fitContext(context: RetrievedContext, tokens: number): RetrievedContext {
  const memories = [...context.memories].sort((a, b) => b.score - a.score);
  const knowledge = [...context.knowledge].sort((a, b) => b.score - a.score);
  const keptMemories: RecalledMemory[] = [];
  const keptKnowledge: KnowledgeHit[] = [];
  let left = tokens;
  const take = (line: string, header: string, first: boolean): boolean => {
    const cost = estimateTokens(line) + (first ? estimateTokens(header) : 0);
    if (cost > left) return false;
    left -= cost;
    return true;
  };
  // Interleaved, best first: one memory, one passage, ... so neither crowds the other out.
  for (let i = 0; i < Math.max(memories.length, knowledge.length); i++) {
    const memory = memories[i];
    if (memory && take(memoryLine(memory), MEMORY_HEADER, keptMemories.length === 0)) {
      keptMemories.push(memory);
    }
    const passage = knowledge[i];
    if (
      passage &&
      take(passageLine(passage, keptKnowledge.length), KNOWLEDGE_HEADER, keptKnowledge.length === 0)
    ) {
      keptKnowledge.push(passage);
    }
  }
  return { memories: keptMemories, knowledge: keptKnowledge };
}

const memoryLine = (memory: RecalledMemory) => `- (${memory.kind}) ${memory.content}`;
const passageLine = (hit: KnowledgeHit, index: number) =>
  `[${index + 1}] ${hit.title}${hit.heading ? ` > ${hit.heading}` : ''}: ${hit.text}`;

function renderContext(context: RetrievedContext): string {
  const sections: string[] = [];
  if (context.memories.length > 0) {
    sections.push([MEMORY_HEADER, ...context.memories.map(memoryLine)].join('\n'));
  }
  if (context.knowledge.length > 0) {
    sections.push([KNOWLEDGE_HEADER, ...context.knowledge.map(passageLine)].join('\n'));
  }
  return sections.join('\n\n');
}
