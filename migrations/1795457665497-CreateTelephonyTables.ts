import { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents, phone numbers, customers, calls with their events and turns (telephony issue). */

export class CreateTelephonyTables1795457665497 implements MigrationInterface {
  name = 'CreateTelephonyTables1795457665497';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "agents" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "name" character varying(120) NOT NULL,
                "system_prompt" text NOT NULL DEFAULT '',
                "first_message" text NOT NULL DEFAULT '',
                "voice" character varying(100) NOT NULL DEFAULT 'default',
                "language" character varying(16) NOT NULL DEFAULT 'en-US',
                "tools_enabled" text array NOT NULL DEFAULT '{}',
                "max_turns" integer NOT NULL DEFAULT '8',
                "transfer_number" character varying(16),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "agents_transfer_number_check" CHECK (
                    "transfer_number" IS NULL
                    OR "transfer_number" ~ '^\\+[1-9][0-9]{6,14}$'
                ),
                CONSTRAINT "agents_max_turns_check" CHECK (
                    "max_turns" BETWEEN 1 AND 200
                ),
                CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "agents_organization_id_idx" ON "agents" ("organization_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "phone_numbers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "e164" character varying(16) NOT NULL,
                "provider" character varying(16) NOT NULL DEFAULT 'twilio',
                "agent_id" uuid,
                "enabled" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_f1fa02ebc5845fd9c96ed58b150" UNIQUE ("e164"),
                CONSTRAINT "phone_numbers_provider_check" CHECK ("provider" IN ('twilio', 'telnyx', 'asterisk')),
                CONSTRAINT "phone_numbers_e164_check" CHECK ("e164" ~ '^\\+[1-9][0-9]{6,14}$'),
                CONSTRAINT "PK_a72cf9a1834a1417e195fdd2c02" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "phone_numbers_organization_id_idx" ON "phone_numbers" ("organization_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "customers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "phone" character varying(16) NOT NULL,
                "name" character varying(200),
                "metadata" jsonb NOT NULL DEFAULT '{}',
                "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_seen_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL,
                CONSTRAINT "customers_phone_check" CHECK ("phone" ~ '^\\+[1-9][0-9]{6,14}$'),
                CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "customers_organization_phone_key" ON "customers" ("organization_id", "phone")
        `);
    await queryRunner.query(`
            CREATE TABLE "calls" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "organization_id" uuid NOT NULL,
                "provider" character varying(16) NOT NULL,
                "provider_call_id" character varying(64),
                "direction" character varying(8) NOT NULL,
                "from_number" character varying(16) NOT NULL,
                "to_number" character varying(16) NOT NULL,
                "agent_id" uuid,
                "customer_id" uuid,
                "status" character varying(16) NOT NULL,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "answered_at" TIMESTAMP WITH TIME ZONE,
                "ended_at" TIMESTAMP WITH TIME ZONE,
                "duration_seconds" integer,
                "turn_count" integer NOT NULL DEFAULT '0',
                "attempt_number" integer NOT NULL DEFAULT '1',
                "max_attempts" integer NOT NULL DEFAULT '1',
                "timeout_seconds" integer NOT NULL DEFAULT '30',
                "end_reason" character varying(64),
                "metadata" jsonb NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "calls_status_check" CHECK (
                    "status" IN (
                        'queued',
                        'ringing',
                        'in_progress',
                        'completed',
                        'busy',
                        'no_answer',
                        'failed',
                        'canceled'
                    )
                ),
                CONSTRAINT "calls_direction_check" CHECK ("direction" IN ('inbound', 'outbound')),
                CONSTRAINT "calls_to_e164_check" CHECK ("to_number" ~ '^\\+[1-9][0-9]{6,14}$'),
                CONSTRAINT "calls_from_e164_check" CHECK (
                    "from_number" ~ '^\\+[1-9][0-9]{6,14}$'
                    OR "from_number" = 'anonymous'
                ),
                CONSTRAINT "calls_timeout_check" CHECK ("timeout_seconds" > 0),
                CONSTRAINT "calls_max_attempts_check" CHECK (
                    "max_attempts" >= 1
                    AND "attempt_number" <= "max_attempts"
                ),
                CONSTRAINT "calls_attempt_number_check" CHECK ("attempt_number" >= 1),
                CONSTRAINT "PK_d9171d91f8dd1a649659f1b6a20" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_organization_to_idx" ON "calls" ("organization_id", "to_number")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_organization_from_idx" ON "calls" ("organization_id", "from_number")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_organization_agent_idx" ON "calls" ("organization_id", "agent_id")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_organization_status_idx" ON "calls" ("organization_id", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "calls_organization_created_idx" ON "calls" ("organization_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "calls_provider_call_id_key" ON "calls" ("provider", "provider_call_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "call_events" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "call_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "type" character varying(64) NOT NULL,
                "payload" jsonb NOT NULL DEFAULT '{}',
                "dedupe_key" character varying(200) NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_ae7349495543762c8be7de28b7f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "call_events_call_occurred_idx" ON "call_events" ("call_id", "occurred_at")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "call_events_dedupe_key" ON "call_events" ("call_id", "dedupe_key")
        `);
    await queryRunner.query(`
            CREATE TABLE "call_turns" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "call_id" uuid NOT NULL,
                "organization_id" uuid NOT NULL,
                "index" integer NOT NULL,
                "role" character varying(8) NOT NULL,
                "text" text,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "ended_at" TIMESTAMP WITH TIME ZONE,
                "latency" jsonb NOT NULL DEFAULT '{}',
                "sentiment" real,
                "interrupted" boolean NOT NULL DEFAULT false,
                "metadata" jsonb NOT NULL DEFAULT '{}',
                CONSTRAINT "call_turns_index_check" CHECK ("index" >= 0),
                CONSTRAINT "call_turns_role_check" CHECK ("role" IN ('caller', 'agent', 'system', 'tool')),
                CONSTRAINT "PK_2bfc685cc1104d07effea901274" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "call_turns_call_index_key" ON "call_turns" ("call_id", "index")
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD CONSTRAINT "FK_28ac537f8c7bc3c96f7d1753ec4" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "phone_numbers"
            ADD CONSTRAINT "FK_f4f92558ca854270ce4ade149f9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "phone_numbers"
            ADD CONSTRAINT "FK_305ba30735c76d975c5784367cc" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "customers"
            ADD CONSTRAINT "FK_d2fc0e42b07d01fafc3fbb2bee3" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD CONSTRAINT "FK_71a193fe787f0f3c72395db3a50" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD CONSTRAINT "FK_41eb007cd2aa579cf99aa2341c9" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "calls"
            ADD CONSTRAINT "FK_b9ca32fa0713b9242060e689f73" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "call_events"
            ADD CONSTRAINT "FK_c4f8fb033e6fc8bb81ff892b41b" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "call_turns"
            ADD CONSTRAINT "FK_c6ba9e302f513876d5db36a871f" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "call_turns" DROP CONSTRAINT "FK_c6ba9e302f513876d5db36a871f"
        `);
    await queryRunner.query(`
            ALTER TABLE "call_events" DROP CONSTRAINT "FK_c4f8fb033e6fc8bb81ff892b41b"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP CONSTRAINT "FK_b9ca32fa0713b9242060e689f73"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP CONSTRAINT "FK_41eb007cd2aa579cf99aa2341c9"
        `);
    await queryRunner.query(`
            ALTER TABLE "calls" DROP CONSTRAINT "FK_71a193fe787f0f3c72395db3a50"
        `);
    await queryRunner.query(`
            ALTER TABLE "customers" DROP CONSTRAINT "FK_d2fc0e42b07d01fafc3fbb2bee3"
        `);
    await queryRunner.query(`
            ALTER TABLE "phone_numbers" DROP CONSTRAINT "FK_305ba30735c76d975c5784367cc"
        `);
    await queryRunner.query(`
            ALTER TABLE "phone_numbers" DROP CONSTRAINT "FK_f4f92558ca854270ce4ade149f9"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP CONSTRAINT "FK_28ac537f8c7bc3c96f7d1753ec4"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."call_turns_call_index_key"
        `);
    await queryRunner.query(`
            DROP TABLE "call_turns"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."call_events_dedupe_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."call_events_call_occurred_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "call_events"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_provider_call_id_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_organization_created_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_organization_status_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_organization_agent_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_organization_from_idx"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."calls_organization_to_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "calls"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."customers_organization_phone_key"
        `);
    await queryRunner.query(`
            DROP TABLE "customers"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."phone_numbers_organization_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "phone_numbers"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."agents_organization_id_idx"
        `);
    await queryRunner.query(`
            DROP TABLE "agents"
        `);
  }
}
