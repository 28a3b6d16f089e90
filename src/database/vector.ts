import { toSql } from 'pgvector';
import { DataSource, Index } from 'typeorm';

/**
 * Embedding dimensions the migrations build an HNSW index for. pgvector indexes need a fixed dimension, so each
 * vector table keeps an untyped `vector` column and one partial expression index per dimension
 * (`(embedding::vector(d)) ... WHERE embedding_dimensions = d`); queries must use the same cast to use it.
 * Another dimension needs a migration adding its indexes, and then a place here.
 */
export const INDEXED_VECTOR_DIMENSIONS = [256, 384, 512, 768, 1024, 1536] as const;
export type IndexedVectorDimension = (typeof INDEXED_VECTOR_DIMENSIONS)[number];

export function isIndexedDimension(value: number): value is IndexedVectorDimension {
  return (INDEXED_VECTOR_DIMENSIONS as readonly number[]).includes(value);
}

/**
 * The SQL type of a vector of `dimensions`, e.g. `vector(384)`. The one piece of vector SQL not passed as a
 * parameter (a type modifier cannot be), so it only ever comes from the fixed list above.
 */
export function vectorType(dimensions: number): string {
  if (!isIndexedDimension(dimensions)) {
    throw new Error(`No vector index exists for ${dimensions} dimensions`);
  }
  return `vector(${dimensions})`;
}

/** A vector as the text pgvector parses (`[0.1,0.2,...]`), to pass as a query parameter. */
export function toVectorParameter(values: readonly number[]): string {
  return toSql(values) as string;
}

/** The name of the HNSW index of `table`'s embeddings of one dimension (created by migrations). */
export function hnswIndexName(table: string, dimensions: number): string {
  return `${table}_embedding_${dimensions}_hnsw`;
}

/**
 * Declares a table's per-dimension HNSW indexes to TypeORM as hand-made (`synchronize: false`): TypeORM cannot
 * express partial expression indexes, and must neither drop nor recreate them.
 */
export function HnswIndexes(table: string): ClassDecorator {
  return (target) => {
    for (const dimensions of INDEXED_VECTOR_DIMENSIONS) {
      Index(hnswIndexName(table, dimensions), { synchronize: false })(target);
    }
  };
}

/**
 * pgvector settings every session of ours runs with. Iterative index scans: a tenant filter applied during an
 * HNSW scan would otherwise leave fewer than `LIMIT` rows when the tenant's vectors are a small share. Results
 * of `relaxed_order` scans may be slightly out of order, so queries re-sort their few rows. Set per session
 * (connection startup options) rather than per query, so a vector search is one statement: wrapping each in a
 * transaction to `SET LOCAL` cost three extra round trips on the path of every voice turn.
 */
export const VECTOR_SESSION_SETTINGS: Readonly<Record<string, string>> = {
  'hnsw.iterative_scan': 'relaxed_order',
  'hnsw.ef_search': '100',
};

/** The settings above as libpq `options` (`-c name=value ...`), sent when a connection starts. */
export function vectorSessionOptions(): string {
  return Object.entries(VECTOR_SESSION_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}

/**
 * A vector space (model, dimensions) other than `space` that an organization's rows of `table` are already in,
 * if any: vectors of two spaces cannot be compared, so callers refuse to mix them.
 */
export async function otherEmbeddingSpace(
  dataSource: DataSource,
  table: 'knowledge_chunks' | 'customer_memories',
  organizationId: string,
  space: { model: string; dimensions: number },
): Promise<{ model: string; dimensions: number } | undefined> {
  const rows = await dataSource.query<{ model: string; dimensions: number }[]>(
    `SELECT embedding_model AS model, embedding_dimensions AS dimensions FROM ${table}
     WHERE organization_id = $1 AND (embedding_model <> $2 OR embedding_dimensions <> $3)
     LIMIT 1`,
    [organizationId, space.model, space.dimensions],
  );
  return rows[0];
}
