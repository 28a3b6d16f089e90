import { MigrationInterface, QueryRunner } from 'typeorm';

/** pgvector backs the knowledge base and caller memory; every later schema may rely on it. */
export class EnablePgvector1763900000000 implements MigrationInterface {
  name = 'EnablePgvector1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS vector');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP EXTENSION IF EXISTS vector');
  }
}
