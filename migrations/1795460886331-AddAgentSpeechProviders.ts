import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-agent choice of speech-to-text and first text-to-speech (voice issue). */

export class AddAgentSpeechProviders1795460886331 implements MigrationInterface {
  name = 'AddAgentSpeechProviders1795460886331';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "stt_provider" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD "tts_provider" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD CONSTRAINT "agents_tts_provider_check" CHECK (
                    "tts_provider" IS NULL
                    OR "tts_provider" IN ('cartesia', 'openai', 'local')
                )
        `);
    await queryRunner.query(`
            ALTER TABLE "agents"
            ADD CONSTRAINT "agents_stt_provider_check" CHECK (
                    "stt_provider" IS NULL
                    OR "stt_provider" IN ('deepgram', 'openai')
                )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "agents" DROP CONSTRAINT "agents_stt_provider_check"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP CONSTRAINT "agents_tts_provider_check"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "tts_provider"
        `);
    await queryRunner.query(`
            ALTER TABLE "agents" DROP COLUMN "stt_provider"
        `);
  }
}
