import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { JobRunner } from '../../../common/jobs/job-runner.service';
import { AppConfig } from '../../../config/app-config';
import { CustomerMemoryService } from '../../memory/customer-memory/customer-memory.service';
import { Embeddings } from '../../memory/embeddings/embeddings';
import { KnowledgeService } from '../../memory/knowledge/knowledge.service';
import { InsightsService } from '../../memory/patterns/insights.service';
import { LLM_FALLBACKS } from '../agent.metrics';
import type { Agent } from '../agents/agent.entity';
import { LanguageModel, RecalledMemory, RetrievedContext } from '../llm/language-model';
import { LocalRulesModel } from '../local/local-rules-model';
import { POST_CALL_JOB, PostCallPayload } from '../post-call/post-call-payload';
import { REMEMBER_TOOL } from '../tools/remember.tool';
import { ToolRegistry } from '../tools/tool-registry';
import type { ConversationOutcome } from './agent-event';
import { AgentConversation } from './agent-conversation';

// Passages scoring below this are noise whatever the embedding model.
const MIN_KNOWLEDGE_SCORE = 0.1;
// Learned advice joins the prompt only when it is this sure (Wilson lower bound of its success rate).
const MIN_ADVICE_CONFIDENCE = 0.6;

/** What one conversation's turns still search (see AgentRuntime.retrievalScope). */
interface RetrievalScope {
  knowledge: boolean;
  memory: boolean;
}

export interface OpenConversation {
  organizationId: string;
  agent: Agent;
  customerId: string | null;
  callId: string | null;
  variantId: string | null;
  channel: 'phone' | 'chat';
}

/**
 * Opens agent conversations, for calls and for chat tests alike: the caller's memories and learned advice up
 * front, knowledge and memory retrieval on every turn (the input embedded once for both), and the outcome queued
 * as a durable job at the end.
 */
@Injectable()
export class AgentRuntime {
  private readonly logger = new Logger('AgentRuntime');

  constructor(
    private readonly config: AppConfig,
    @Inject(LanguageModel) private readonly model: LanguageModel,
    private readonly local: LocalRulesModel,
    private readonly tools: ToolRegistry,
    private readonly embeddings: Embeddings,
    private readonly knowledge: KnowledgeService,
    private readonly memory: CustomerMemoryService,
    private readonly insights: InsightsService,
    private readonly jobs: JobRunner,
    @InjectMetric(LLM_FALLBACKS) private readonly fallbacks: Counter<string>,
  ) {}

  get modelName(): string {
    return this.model.name;
  }

  async open(options: OpenConversation): Promise<AgentConversation> {
    const [opening, advice] = await Promise.all([
      this.openingMemories(options),
      this.advice(options.organizationId, options.agent.callType),
    ]);
    const scope = this.retrievalScope(options, opening);
    const { agent: settings } = this.config;
    const conversation: AgentConversation = new AgentConversation(
      {
        ...options,
        contextTokens: settings.contextTokens,
        historyTurns: settings.historyTurns,
        maxToolRounds: settings.maxToolRounds,
        recallLimit: this.config.memory.recallLimit,
      },
      {
        model: this.model,
        fallback: this.local,
        tools: this.tools,
        fallbacks: this.fallbacks,
        retrieve: (input) => {
          // The caller's first memory may come from this call's remember tool: searched from then on.
          if (options.customerId !== null && conversation.toolsUsed.has(REMEMBER_TOOL)) {
            scope.memory = true;
          }
          return this.retrieve(options, scope, input);
        },
        onEnd: (ended, outcome) => this.queuePostCall(ended, outcome),
      },
      opening ?? [],
      advice,
    );
    return conversation;
  }

  /**
   * What a conversation's turns search. A chat searches everything on every turn (whoever tests an agent may
   * add a document or a memory between two messages). A call, where every turn's statements cost the caller
   * time, skips what cannot answer: the caller's memories when the call opened with none (read, not failed),
   * until its remember tool stores one (see open), and the knowledge base once a search found it empty (a
   * document added during the call is searched from the next call on).
   */
  private retrievalScope(
    options: OpenConversation,
    opening: RecalledMemory[] | undefined,
  ): RetrievalScope {
    const memory =
      options.customerId !== null &&
      (options.channel !== 'phone' || opening === undefined || opening.length > 0);
    return { knowledge: true, memory };
  }

  private async retrieve(
    options: OpenConversation,
    scope: RetrievalScope,
    input: string,
  ): Promise<RetrievedContext> {
    if (!scope.knowledge && !scope.memory) return { knowledge: [], memories: [] };
    const limit = this.config.memory.recallLimit;
    try {
      const [vector] = await this.embeddings.embed([input]);
      const [knowledge, memories] = await Promise.all([
        scope.knowledge
          ? this.knowledge.searchVector(options.organizationId, vector, limit)
          : Promise.resolve([]),
        scope.memory
          ? this.memory.recallVector(options.organizationId, options.customerId!, vector, limit)
          : Promise.resolve([]),
      ]);
      // No passage at all, however far: the organization has no documents in this embedding space (a call
      // stops searching it, see retrievalScope).
      if (options.channel === 'phone' && knowledge.length === 0) scope.knowledge = false;
      return {
        knowledge: knowledge
          .filter((hit) => hit.score >= MIN_KNOWLEDGE_SCORE)
          .map((hit) => ({
            documentId: hit.documentId,
            title: hit.title,
            heading: hit.heading ?? undefined,
            text: hit.content,
            score: hit.score,
          })),
        memories,
      };
    } catch (error) {
      // Retrieval makes answers better; its failure must not leave the caller without one.
      this.logger.warn(`Retrieval failed, answering without context: ${(error as Error).message}`);
      return { knowledge: [], memories: [] };
    }
  }

  /** The caller's top memories, or undefined when they could not be read. */
  private async openingMemories(options: OpenConversation): Promise<RecalledMemory[] | undefined> {
    if (!options.customerId) return [];
    try {
      return await this.memory.recallVector(
        options.organizationId,
        options.customerId,
        undefined,
        this.config.memory.recallLimit,
      );
    } catch (error) {
      this.logger.warn(`Could not recall the caller's memories: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async advice(organizationId: string, callType: string): Promise<string | undefined> {
    try {
      const insight = await this.insights.recommend(organizationId, callType);
      const { recommendation } = insight;
      if (insight.basis !== 'learned' || recommendation.confidence < MIN_ADVICE_CONFIDENCE)
        return undefined;
      return (
        `What has worked best on ${callType} calls here (${Math.round((recommendation.successRate ?? 0) * 100)}% ` +
        `success over ${recommendation.sampleSize} calls): ${recommendation.persona}`
      );
    } catch (error) {
      this.logger.warn(`Could not load insights: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async queuePostCall(
    conversation: AgentConversation,
    outcome: ConversationOutcome,
  ): Promise<void> {
    const transcript = conversation.transcript();
    if (!transcript.some((turn) => turn.role === 'caller')) return;
    const { settings } = conversation;
    const transferred = conversation.requestedActions.some((action) => action.kind === 'transfer');
    const payload: PostCallPayload = {
      organizationId: settings.organizationId,
      agentId: settings.agent.id,
      callId: settings.callId,
      customerId: settings.customerId,
      variantId: settings.variantId,
      channel: settings.channel,
      callType: settings.agent.callType,
      persona: settings.agent.persona,
      tools: this.tools.offered({ ...settings, agent: settings.agent }).map((tool) => tool.name),
      toolsUsed: [...conversation.toolsUsed],
      transcript,
      outcome: {
        ...outcome,
        transferred,
        success: outcome.completed && !transferred && (outcome.averageSentiment ?? 0) >= 0,
      },
    };
    await this.jobs.enqueue({
      type: POST_CALL_JOB,
      dedupeKey: settings.callId ?? `chat:${randomUUID()}`,
      organizationId: settings.organizationId,
      payload: payload as unknown as Record<string, unknown>,
    });
  }
}
