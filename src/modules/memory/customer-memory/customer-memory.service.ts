import { Injectable } from '@nestjs/common';
import { JobRunner } from '../../../common/jobs/job-runner.service';
import { decodeCursor, Page, toPage } from '../../../common/pagination/cursor';
import type { PageQuery } from '../../../common/pagination/page-query.dto';
import { Embeddings } from '../embeddings/embeddings';
import { MemoryErrors } from '../memory.errors';
import type { CustomerMemory, MemoryKind } from './customer-memory.entity';
import { CustomerMemoriesRepository, MemoryCandidate } from './customer-memories.repository';

export interface Recalled {
  id: string;
  kind: MemoryKind;
  content: string;
  createdAt: Date;
  score: number;
}

// Candidates fetched by similarity (or recency) before re-ranking: a caller rarely has more worth weighing.
const CANDIDATES = 50;
const RECENCY_HALF_LIFE_DAYS = 30;

/**
 * What the agent remembers about each caller. Recall ranks by meaning, importance and recency together, so a
 * strong old fact still surfaces and yesterday's complaint outranks last year's.
 */
@Injectable()
export class CustomerMemoryService {
  constructor(
    private readonly memories: CustomerMemoriesRepository,
    private readonly embeddings: Embeddings,
    private readonly jobs: JobRunner,
  ) {}

  async remember(input: {
    organizationId: string;
    customerId: string;
    content: string;
    kind: MemoryKind;
    importance?: number;
    sourceCallId?: string | null;
  }): Promise<CustomerMemory> {
    await this.assertSameSpace(input.organizationId);
    const [vector] = await this.embeddings.embed([input.content]);
    return this.memories.insert(
      {
        organizationId: input.organizationId,
        customerId: input.customerId,
        content: input.content,
        kind: input.kind,
        importance: Math.max(0, Math.min(1, input.importance ?? 0.5)),
        sourceCallId: input.sourceCallId ?? null,
      },
      vector,
      this.embeddings.space,
    );
  }

  /** The caller's most relevant memories: to `query` when given (a turn), else overall (the call's start). */
  async recall(
    organizationId: string,
    customerId: string,
    query: string | undefined,
    limit: number,
  ): Promise<Recalled[]> {
    const vector = query ? (await this.embeddings.embed([query]))[0] : undefined;
    return this.recallVector(organizationId, customerId, vector, limit);
  }

  /** Recall with a query already embedded (by this process's Embeddings), or none. */
  async recallVector(
    organizationId: string,
    customerId: string,
    vector: readonly number[] | undefined,
    limit: number,
    now = new Date(),
  ): Promise<Recalled[]> {
    const candidates = await this.memories.candidates(
      organizationId,
      customerId,
      this.embeddings.space,
      vector,
      CANDIDATES,
    );
    return candidates
      .map((candidate) => ({ candidate, score: recallScore(candidate, now) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map(({ candidate, score }) => ({
        id: candidate.id,
        kind: candidate.kind,
        content: candidate.content,
        createdAt: candidate.createdAt,
        score: Math.round(score * 1000) / 1000,
      }));
  }

  /** Whether a call already left its summary (a retried post-call job must not write a second one). */
  hasSummaryOf(organizationId: string, callId: string): Promise<boolean> {
    return this.memories.existsFromCall(organizationId, callId, 'summary');
  }

  async list(
    organizationId: string,
    customerId: string,
    query: PageQuery,
  ): Promise<Page<CustomerMemory>> {
    await this.assertCustomer(organizationId, customerId);
    const limit = query.limit ?? 25;
    const rows = await this.memories.list(
      organizationId,
      customerId,
      limit + 1,
      decodeCursor(query.cursor),
    );
    return toPage(rows, limit, (memory) => ({ at: memory.createdAt, id: memory.id }));
  }

  async forget(organizationId: string, customerId: string, id: string): Promise<void> {
    await this.assertCustomer(organizationId, customerId);
    if (!(await this.memories.delete(organizationId, customerId, id)))
      throw MemoryErrors.memoryNotFound();
  }

  /**
   * Right to be forgotten: every memory of the caller, at once, and the summaries of their calls that were
   * still waiting to be written.
   */
  async forgetAll(organizationId: string, customerId: string): Promise<{ deleted: number }> {
    await this.assertCustomer(organizationId, customerId);
    await this.jobs.cancelQueued(organizationId, { customerId });
    return { deleted: await this.memories.deleteAll(organizationId, customerId) };
  }

  async assertCustomer(organizationId: string, customerId: string): Promise<void> {
    if (!(await this.memories.customerExists(organizationId, customerId))) {
      throw MemoryErrors.customerNotFound();
    }
  }

  private async assertSameSpace(organizationId: string): Promise<void> {
    const space = this.embeddings.space;
    const stored = await this.memories.otherSpace(organizationId, space);
    if (stored) throw MemoryErrors.embeddingSpaceMismatch('Caller memory', stored, space);
  }
}

/** 0..1: similarity first (when there is a query), then importance, then how recent. */
export function recallScore(candidate: MemoryCandidate, now: Date): number {
  const ageDays = Math.max(0, (now.getTime() - candidate.createdAt.getTime()) / 86_400_000);
  const recency = Math.pow(0.5, ageDays / RECENCY_HALF_LIFE_DAYS);
  if (candidate.distance === null) return 0.6 * candidate.importance + 0.4 * recency;
  const similarity = Math.max(0, Math.min(1, 1 - candidate.distance));
  return 0.6 * similarity + 0.25 * candidate.importance + 0.15 * recency;
}
