import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { ValidationError } from '../../../common/errors/domain-error';
import type { Agent } from '../agents/agent.entity';
import type {
  ChatMessage,
  LanguageModel,
  RecalledMemory,
  RetrievedContext,
  ToolCall,
} from '../llm/language-model';
import type { CallAction } from '../tools/agent-tool';
import type { ToolRegistry } from '../tools/tool-registry';
import type { AgentEvent, ConversationOutcome } from './agent-event';
import { buildPrompt } from './prompt-builder';

export const MAX_INPUT_CHARACTERS = 4000;
const CUT_SHORT = 'Sorry, I lost my train of thought there. Could you say that again?';
const LOOP_CAPPED = "I'm sorry, I couldn't finish that. Could you ask me in a different way?";

export interface ConversationSettings {
  organizationId: string;
  agent: Agent;
  customerId: string | null;
  callId: string | null;
  variantId: string | null;
  channel: 'phone' | 'chat';
  contextTokens: number;
  historyTurns: number;
  maxToolRounds: number;
  recallLimit: number;
}

export interface ConversationDeps {
  model: LanguageModel;
  fallback: LanguageModel;
  tools: ToolRegistry;
  /** The input's knowledge passages and the caller's memories; failures degrade to nothing, never block. */
  retrieve(input: string): Promise<RetrievedContext>;
  onEnd(conversation: AgentConversation, outcome: ConversationOutcome): Promise<void>;
  fallbacks: Counter<string>;
}

/**
 * One conversation with the agent (a phone call or a chat session): the whole history, kept for its duration,
 * and a reply loop that streams text, runs tool calls (capped at AGENT_MAX_TOOL_ROUNDS per reply), and answers
 * with the local agent when the language model fails before saying anything.
 */
export class AgentConversation {
  private readonly logger = new Logger('AgentConversation');
  readonly messages: ChatMessage[] = [];
  readonly toolsUsed = new Set<string>();
  private readonly actions: CallAction[] = [];
  private ended = false;

  constructor(
    readonly settings: ConversationSettings,
    private readonly deps: ConversationDeps,
    /** Memories recalled when the conversation opened (who the caller is), offered on every turn. */
    private readonly openingMemories: readonly RecalledMemory[],
    private readonly advice: string | undefined,
  ) {}

  get agent(): Agent {
    return this.settings.agent;
  }

  /** Actions requested so far (transfer, end of call). */
  get requestedActions(): readonly CallAction[] {
    return this.actions;
  }

  async *reply(input: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<AgentEvent> {
    const text = input.trim();
    if (!text) throw new ValidationError('The message is empty', undefined, 'AGENT_EMPTY_INPUT');
    if (text.length > MAX_INPUT_CHARACTERS) {
      throw new ValidationError(
        `The message is longer than ${MAX_INPUT_CHARACTERS} characters`,
        undefined,
        'AGENT_INPUT_TOO_LONG',
      );
    }
    const signal = options.signal ?? new AbortController().signal;
    this.messages.push({ role: 'user', content: text });
    const context = this.withOpeningMemories(await this.deps.retrieve(text));
    const toolContext = {
      organizationId: this.settings.organizationId,
      agent: this.settings.agent,
      customerId: this.settings.customerId,
      callId: this.settings.callId,
      channel: this.settings.channel,
    };
    const offered = this.deps.tools.offered(toolContext);
    let model = this.deps.model;

    for (let round = 0; ; round++) {
      if (signal.aborted) return;
      const prompt = buildPrompt({
        agent: this.settings.agent,
        channel: this.settings.channel,
        advice: this.advice,
        context,
        history: this.messages,
        budgetTokens: this.settings.contextTokens,
        maxHistoryMessages: this.settings.historyTurns,
      });
      // The last round gets no tools, so the model must answer in words.
      const tools = round < this.settings.maxToolRounds ? offered : [];
      let said = '';
      const calls: ToolCall[] = [];
      try {
        for await (const event of model.generate({
          agent: this.settings.agent,
          model: this.settings.agent.model ?? undefined,
          messages: prompt.messages,
          tools,
          context: prompt.context,
          channel: this.settings.channel,
          signal,
        })) {
          if (signal.aborted) return;
          if (event.type === 'text') {
            said += event.text;
            yield event;
          } else {
            calls.push(event.call);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        // Whatever broke the model (outage, open circuit, a stream cut mid-way), the caller still gets an answer.
        if (model === this.deps.fallback) throw error;
        const reason = (error as Error).message;
        this.deps.fallbacks.inc({ model: model.name });
        this.logger.warn(`The ${model.name} model failed (${reason}); the local agent answers`);
        yield { type: 'fallback', from: model.name, reason };
        if (said) {
          // Half a sentence was already spoken: finishing it with another brain would be nonsense.
          yield { type: 'text', text: ` ${CUT_SHORT}` };
          this.messages.push({ role: 'assistant', content: `${said} ${CUT_SHORT}` });
          return;
        }
        model = this.deps.fallback;
        round--;
        continue;
      }

      if (calls.length === 0) {
        this.messages.push({ role: 'assistant', content: said });
        return;
      }
      if (tools.length === 0) {
        // Asked for tools it was not given (the loop cap): stop here.
        this.logger.warn(`Tool loop capped after ${round} round(s)`);
        yield { type: 'text', text: LOOP_CAPPED };
        this.messages.push({
          role: 'assistant',
          content: `${said}${said ? ' ' : ''}${LOOP_CAPPED}`,
        });
        return;
      }
      this.messages.push({ role: 'assistant', content: said, toolCalls: calls });
      let failedFallback: string | undefined;
      const answered = new Set<string>();
      const answer = (call: (typeof calls)[number], content: string) => {
        answered.add(call.id);
        this.messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content });
      };
      try {
        for (const call of calls) {
          // A barge-in between two calls: what has not run yet must not run (its side effects would be unasked).
          if (signal.aborted) return;
          yield { type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments };
          const result = await this.deps.tools.execute(call, { ...toolContext, signal }, offered);
          this.toolsUsed.add(call.name);
          if (result.ok) {
            answer(call, result.outcome.content);
            yield {
              type: 'tool_result',
              id: call.id,
              name: call.name,
              ok: true,
              result: result.outcome.content,
              durationMs: result.durationMs,
            };
            if (result.outcome.action) {
              this.actions.push(result.outcome.action);
              yield { type: 'action', action: result.outcome.action };
            }
          } else {
            answer(call, JSON.stringify({ error: result.code, message: result.message }));
            yield {
              type: 'tool_result',
              id: call.id,
              name: call.name,
              ok: false,
              code: result.code,
              message: result.message,
              durationMs: result.durationMs,
            };
            failedFallback ??= result.fallback;
          }
        }
      } finally {
        // Also when the reader stopped early (a barge-in closes this generator at a yield): the chat API refuses,
        // for the rest of the conversation, a history in which a tool call has no answer.
        for (const call of calls) {
          if (!answered.has(call.id))
            answer(call, JSON.stringify({ error: 'CANCELLED', message: 'The caller interrupted' }));
        }
      }
      if (signal.aborted) return;
      if (failedFallback) {
        // A failed tool gets a fixed, graceful line: the model must not improvise a success.
        const line = `${said ? ' ' : ''}${failedFallback}`;
        yield { type: 'text', text: line };
        this.messages.push({ role: 'assistant', content: failedFallback });
        return;
      }
    }
  }

  /**
   * The caller cut the last reply short: remember only what they heard of it. A reply cut while it was still
   * being generated was never added, so it is added now.
   */
  noteInterrupted(heard: string): void {
    const content = heard
      ? `${heard} [interrupted by the caller]`
      : '[interrupted by the caller before speaking]';
    const last = this.messages.at(-1);
    if (last?.role === 'assistant') last.content = content;
    else this.messages.push({ role: 'assistant', content });
  }

  /** The conversation as plain turns (tool traffic summarised), for summaries. */
  transcript(): { role: 'caller' | 'agent' | 'tool'; text: string }[] {
    return this.messages.flatMap(
      (message): { role: 'caller' | 'agent' | 'tool'; text: string }[] => {
        switch (message.role) {
          case 'user':
            return [{ role: 'caller', text: message.content }];
          case 'assistant':
            return message.content ? [{ role: 'agent', text: message.content }] : [];
          case 'tool':
            return [{ role: 'tool', text: `${message.name}: ${message.content}` }];
          case 'system':
            return [];
        }
      },
    );
  }

  /** Ends the conversation once: its summary and outcome are queued for the background (never lost). */
  async end(outcome: ConversationOutcome): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.deps.onEnd(this, outcome);
  }

  private withOpeningMemories(context: RetrievedContext): RetrievedContext {
    const seen = new Set(context.memories.map((memory) => memory.id));
    return {
      knowledge: context.knowledge,
      memories: [
        ...context.memories,
        ...this.openingMemories.filter((memory) => !seen.has(memory.id)),
      ].slice(0, this.settings.recallLimit * 2),
    };
  }
}
