import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents are listed through a keyset cursor that carries created_at as a JavaScript date (milliseconds).
 * Stored with microseconds, two agents created within one millisecond compared unequal to the cursor and
 * the second page could skip one: the column now holds what the cursor can say, as calls' already does.
 */
export class AgentsCreatedAtMilliseconds1795600000000 implements MigrationInterface {
  name = 'AgentsCreatedAtMilliseconds1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "agents" ALTER COLUMN "created_at" TYPE TIMESTAMP(3) WITH TIME ZONE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "agents" ALTER COLUMN "created_at" TYPE TIMESTAMP WITH TIME ZONE`,
    );
  }
}
