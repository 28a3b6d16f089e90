import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agent and memory issue: agent persona, call type and model, A/B variants (and the variant a call got), the
 * knowledge base, caller memories and learned patterns (with the calls counted in them) on pgvector, and the
 * durable job queue. Vectors are stored untyped with their dimension beside them; each dimension gets its own
 * partial HNSW index (cosine), listed here rather than read from the app so this migration never changes.
 */
const VECTOR_TABLES = ['knowledge_chunks', 'customer_memories'];
const INDEXED_DIMENSIONS = [256, 384, 512, 768, 1024, 1536];

export class AgentsMemoryAndJobs1795486436408 implements MigrationInterface {
  name = 'AgentsMemoryAndJobs1795486436408';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "jobs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "type" character varying(64) NOT NULL,
                "dedupe_key" character varying(200),
                "organization_id" uuid,
                "payload" jsonb NOT NULL DEFAULT '{}',
                "status" character varying(12) NOT NULL DEFAULT 'queued',
                "attempts" integer NOT NULL DEFAULT '0',
                "max_attempts" integer NOT NULL DEFAULT '5',
                "run_after" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "locked_until" TIMESTAMP WITH TIME ZONE,
                "locked_by" character varying(100),
                "last_error" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "jobs_attempts_check" CHECK (
                    "attempts" >= 0
                    AND "max_attempts" >= 1
                ),
                CONSTRAINT "jobs_status_check" CHECK (
                    "status" IN ('queued', 'running', 'done', 'failed')
                ),
                CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "jobs_runnable_idx" ON "jobs" ("status", "run_after")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "jobs_type_dedupe_key" ON "jobs" ("type", "dedupe_key")
        `);
    await queryRunner.query(`
            CREATE TABLE "agent_variants" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "agent_id" uuid NOT NULL,
                "name" character varying(60) NOT NULL,
                "weight" integer NOT NULL DEFAULT '1',
                "system_prompt" text,
                "persona" text,
                "first_message" text,
                "voice" character varying(100),
                "model" character varying(100),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "agent_variants_weight_check" CHECK (
                    "weight" BETWEEN 0 AND 1000
                ),
                CONSTRAINT "PK_90f574120e3b6a9d87c5ba05cf8" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "agent_variants_organization_id_idx" ON "agent_variants" ("organization_id")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "agent_variants_agent_name_key" ON "agent_variants" ("agent_id", "name")
        `);
    await queryRunner.query(`
            CREATE TABLE "learned_patterns" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "call_type" character varying(40) NOT NULL,
                "signature" character varying(64) NOT NULL,
                "persona" text NOT NULL,
                "tools" text array NOT NULL,
                "context_embedding" vector,
                "embedding_model" character varying(100),
                "success_count" integer NOT NULL DEFAULT '0',
                "usage_count" integer NOT NULL DEFAULT '0',
                "success_rate" real NOT NULL DEFAULT '0',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "learned_patterns_counts_check" CHECK (
                    "success_count" BETWEEN 0 AND "usage_count"
                ),
                CONSTRAINT "PK_91d1fc16ca461f660753e5f952e" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "learned_patterns_signature_key" ON "learned_patterns" ("organization_id", "call_type", "signature")
        `);
    await queryRunner.query(`
            CREATE TABLE "learned_pattern_outcomes" (
                "call_id" uuid NOT NULL,
                "pattern_id" uuid NOT NULL,
                "success" boolean NOT NULL,
                "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e0533f601fd318b127bb2c47a75" PRIMARY KEY ("call_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "learned_pattern_outcomes_pattern_idx" ON "learned_pattern_outcomes" ("pattern_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "knowledge_documents" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "title" character varying(200) NOT NULL,
                "format" character varying(10) NOT NULL,
                "content" text NOT NULL,
                "content_bytes" integer NOT NULL,
                "status" character varying(12) NOT NULL DEFAULT 'pending',
                "chunk_count" integer NOT NULL DEFAULT '0',
                "chunks_embedded" integer NOT NULL DEFAULT '0',
                "error" text,
                "embedding_model" character varying(100),
                "embedding_dimensions" integer,
                "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "completed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "knowledge_documents_status_check" CHECK (
                    "status" IN ('pending', 'processing', 'ready', 'failed')
                ),
                CONSTRAINT "knowledge_documents_format_check" CHECK ("format" IN ('text', 'markdown')),
                CONSTRAINT "PK_402a3c43fb263aa5289670e4e21" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "knowledge_documents_organization_created_idx" ON "knowledge_documents" ("organization_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "knowledge_chunks" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "document_id" uuid NOT NULL,
                "index" integer NOT NULL,
                "heading" text,
                "content" text NOT NULL,
                "token_estimate" integer NOT NULL,
                "embedding" vector NOT NULL,
                "embedding_model" character varying(100) NOT NULL,
                "embedding_dimensions" integer NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "knowledge_chunks_dimensions_check" CHECK (
                    vector_dims("embedding") = "embedding_dimensions"
                ),
                CONSTRAINT "PK_81af684d79d321813c41019a5cd" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "knowledge_chunks_organization_model_idx" ON "knowledge_chunks" ("organization_id", "embedding_model")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "knowledge_chunks_document_index_key" ON "knowledge_chunks" ("document_id", "index")
        `);
    await queryRunner.query(`
            CREATE TABLE "customer_memories" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "customer_id" uuid NOT NULL,
                "content" text NOT NULL,
                "kind" character varying(12) NOT NULL,
                "importance" real NOT NULL DEFAULT '0.5',
                "source_call_id" uuid,
                "embedding" vector NOT NULL,
                "embedding_model" character varying(100) NOT NULL,
                "embedding_dimensions" integer NOT NULL,
                "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "customer_memories_dimensions_check" CHECK (
                    vector_dims("embedding") = "embedding_dimensions"
                ),
                CONSTRAINT "customer_memories_importance_check" CHECK (
                    "importance" BETWEEN 0 AND 1
                ),
                CONSTRAINT "customer_memories_kind_check" CHECK (
                    "kind" IN ('fact', 'preference', 'issue', 'summary')
                ),
                CONSTRAINT "PK_5722d5f7b042185987dc0eb70d2" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "customer_memories_organization_model_idx" ON "customer_memories" ("organization_id", "embedding_model")
        `);
    await queryRunner.query(`
            CREATE INDEX "customer_memories_customer_created_idx" ON "customer_memories" ("organization_id", "customer_id", "created_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "persona" text NOT NULL DEFAULT ''
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "call_type" character varying(40) NOT NULL DEFAULT 'general'
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "model" character varying(100)
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD "variant_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "agent_variants"
            ADD CONSTRAINT "FK_9ab1f04098cad4f130678adcbb9" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD CONSTRAINT "FK_797397985db1292c82345037fe3" FOREIGN KEY ("variant_id") REFERENCES "agent_variants"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_patterns"
            ADD CONSTRAINT "FK_15a333eb96e9fe8541f2054a331" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_pattern_outcomes"
            ADD CONSTRAINT "FK_e0533f601fd318b127bb2c47a75" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_pattern_outcomes"
            ADD CONSTRAINT "FK_58db92900d3bc83c6f68efb5324" FOREIGN KEY ("pattern_id") REFERENCES "learned_patterns"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "knowledge_documents"
            ADD CONSTRAINT "FK_e9171867eef8e0325615c5630c1" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "knowledge_chunks"
            ADD CONSTRAINT "FK_2089ee83745a2f45c4f97faf2a5" FOREIGN KEY ("document_id") REFERENCES "knowledge_documents"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "customer_memories"
            ADD CONSTRAINT "FK_02ef4d0ac20d04b0fec2695c53f" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "customer_memories"
            ADD CONSTRAINT "FK_ce65dfa48dc0ed99601be67a162" FOREIGN KEY ("source_call_id") REFERENCES "calls"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    for (const table of VECTOR_TABLES) {
      for (const dimensions of INDEXED_DIMENSIONS) {
        await queryRunner.query(`
            CREATE INDEX "${table}_embedding_${dimensions}_hnsw" ON "${table}"
            USING hnsw (("embedding"::vector(${dimensions})) vector_cosine_ops)
            WHERE "embedding_dimensions" = ${dimensions}
        `);
      }
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of VECTOR_TABLES) {
      for (const dimensions of INDEXED_DIMENSIONS) {
        await queryRunner.query(`DROP INDEX "public"."${table}_embedding_${dimensions}_hnsw"`);
      }
    }
    await queryRunner.query(`
            ALTER TABLE "customer_memories" DROP CONSTRAINT "FK_ce65dfa48dc0ed99601be67a162"
        `);
    await queryRunner.query(`
            ALTER TABLE "customer_memories" DROP CONSTRAINT "FK_02ef4d0ac20d04b0fec2695c53f"
        `);
    await queryRunner.query(`
            ALTER TABLE "knowledge_chunks" DROP CONSTRAINT "FK_2089ee83745a2f45c4f97faf2a5"
        `);
    await queryRunner.query(`
            ALTER TABLE "knowledge_documents" DROP CONSTRAINT "FK_e9171867eef8e0325615c5630c1"
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_pattern_outcomes" DROP CONSTRAINT "FK_58db92900d3bc83c6f68efb5324"
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_pattern_outcomes" DROP CONSTRAINT "FK_e0533f601fd318b127bb2c47a75"
        `);
    await queryRunner.query(`
            ALTER TABLE "learned_patterns" DROP CONSTRAINT "FK_15a333eb96e9fe8541f2054a331"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP CONSTRAINT "FK_797397985db1292c82345037fe3"
        `);
    await queryRunner.query(`
            ALTER TABLE "agent_variants" DROP CONSTRAINT "FK_9ab1f04098cad4f130678adcbb9"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP COLUMN "variant_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "model"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "call_type"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "persona"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."customer_memories_customer_created_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."customer_memories_organization_model_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "customer_memories"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."knowledge_chunks_document_index_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."knowledge_chunks_organization_model_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "knowledge_chunks"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."knowledge_documents_organization_created_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "knowledge_documents"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."learned_pattern_outcomes_pattern_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "learned_pattern_outcomes"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."learned_patterns_signature_key"
        `);
    await queryRunner.query(`
            DROP TABLE "learned_patterns"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."agent_variants_agent_name_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."agent_variants_organization_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "agent_variants"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."jobs_type_dedupe_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."jobs_runnable_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "jobs"
        `);
  }
}
