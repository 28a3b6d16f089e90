import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { KeysetPosition } from '../../../common/pagination/cursor';
import { otherEmbeddingSpace, toVectorParameter, vectorType } from '../../../database/vector';
import type { EmbeddingSpace } from '../embeddings/embeddings';
import { CustomerMemory, MemoryKind } from './customer-memory.entity';

export interface NewMemory {
  organizationId: string;
  customerId: string;
  content: string;
  kind: MemoryKind;
  importance: number;
  sourceCallId: string | null;
}

export interface MemoryCandidate {
  id: string;
  kind: MemoryKind;
  content: string;
  importance: number;
  createdAt: Date;
  /** Cosine distance to the query; null when recalled without one. */
  distance: number | null;
}

interface CandidateRow {
  id: string;
  kind: MemoryKind;
  content: string;
  importance: number;
  created_at: Date;
  distance: number | null;
}

/** Caller memories, always within one organization (and one customer where it applies). */
@Injectable()
export class CustomerMemoriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(CustomerMemory);
  }

  async customerExists(organizationId: string, customerId: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM customers WHERE organization_id = $1 AND id = $2',
      [organizationId, customerId],
    );
    return rows.length > 0;
  }

  async insert(
    memory: NewMemory,
    vector: readonly number[],
    space: EmbeddingSpace,
  ): Promise<CustomerMemory> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO customer_memories
         (organization_id, customer_id, content, kind, importance, source_call_id, embedding, embedding_model, embedding_dimensions)
       VALUES ($1, $2, $3, $4, $5, $6, $7::vector, $8, $9)
       RETURNING id`,
      [
        memory.organizationId,
        memory.customerId,
        memory.content,
        memory.kind,
        memory.importance,
        memory.sourceCallId,
        toVectorParameter(vector),
        space.model,
        space.dimensions,
      ],
    );
    return this.repo.findOneByOrFail({ id: rows[0].id });
  }

  async existsFromCall(organizationId: string, callId: string, kind: MemoryKind): Promise<boolean> {
    return this.repo.existsBy({ organizationId, sourceCallId: callId, kind });
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  list(organizationId: string, customerId: string, limit: number, after?: KeysetPosition) {
    const query = this.repo
      .createQueryBuilder('memory')
      .where('memory.organization_id = :organizationId AND memory.customer_id = :customerId', {
        organizationId,
        customerId,
      })
      .orderBy('memory.created_at', 'DESC')
      .addOrderBy('memory.id', 'DESC')
      .take(limit);
    if (after) query.andWhere('(memory.created_at, memory.id) < (:at, :id)', after);
    return query.getMany();
  }

  async delete(organizationId: string, customerId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ organizationId, customerId, id });
    return (result.affected ?? 0) > 0;
  }

  async deleteAll(organizationId: string, customerId: string): Promise<number> {
    const result = await this.repo.delete({ organizationId, customerId });
    return result.affected ?? 0;
  }

  /**
   * A caller's memories nearest to `vector` (or, without one, their newest), as candidates for re-ranking by
   * importance and recency. A caller has few memories, so this is an exact scan of their rows.
   */
  async candidates(
    organizationId: string,
    customerId: string,
    space: EmbeddingSpace,
    vector: readonly number[] | undefined,
    limit: number,
  ): Promise<MemoryCandidate[]> {
    let rows: CandidateRow[];
    if (vector) {
      const type = vectorType(space.dimensions);
      rows = await this.dataSource.query<CandidateRow[]>(
        `SELECT id, kind, content, importance, created_at, embedding::${type} <=> $4::${type} AS distance
         FROM customer_memories
         WHERE organization_id = $1 AND customer_id = $2 AND embedding_model = $3 AND embedding_dimensions = $5
         ORDER BY distance
         LIMIT $6`,
        [
          organizationId,
          customerId,
          space.model,
          toVectorParameter(vector),
          space.dimensions,
          limit,
        ],
      );
    } else {
      rows = await this.dataSource.query<CandidateRow[]>(
        `SELECT id, kind, content, importance, created_at, NULL::double precision AS distance
         FROM customer_memories
         WHERE organization_id = $1 AND customer_id = $2 AND embedding_model = $3 AND embedding_dimensions = $4
         ORDER BY created_at DESC
         LIMIT $5`,
        [organizationId, customerId, space.model, space.dimensions, limit],
      );
    }
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      content: row.content,
      importance: Number(row.importance),
      createdAt: new Date(row.created_at),
      distance: row.distance === null ? null : Number(row.distance),
    }));
  }

  /**
   * The organization's memories nearest to `vector`, across its callers: through the HNSW index with iterative
   * scans, or (`exact`) by computing every distance. Benchmarks compare the two.
   */
  searchOrganization(
    organizationId: string,
    space: EmbeddingSpace,
    vector: readonly number[],
    limit: number,
    options: { exact?: boolean } = {},
  ): Promise<{ id: string; distance: number }[]> {
    const type = vectorType(space.dimensions);
    const sql = `SELECT id, distance FROM (
         SELECT id, embedding::${type} <=> $3::${type} AS distance
         FROM customer_memories
         WHERE organization_id = $1 AND embedding_model = $2 AND embedding_dimensions = $4
         ORDER BY embedding::${type} <=> $3::${type}
         LIMIT $5) hit
       ORDER BY distance`;
    const parameters = [
      organizationId,
      space.model,
      toVectorParameter(vector),
      space.dimensions,
      limit,
    ];
    if (!options.exact) return this.dataSource.query(sql, parameters);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('enable_indexscan', 'off', true)`);
      return manager.query(sql, parameters);
    });
  }

  /** A vector space other than `space` this organization's memories are in, if any. */
  otherSpace(organizationId: string, space: EmbeddingSpace): Promise<EmbeddingSpace | undefined> {
    return otherEmbeddingSpace(this.dataSource, 'customer_memories', organizationId, space);
  }
}
