import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Miners' logs (issue 12): the capped log of a run is stored with the run, so any API replica serves
 * it; a log read before the round is decided needs a signed, single-use challenge, kept here so the
 * replica that checks it need not be the one that issued it.
 */
export class RunLogs1795400700000 implements MigrationInterface {
  name = 'RunLogs1795400700000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "training_runs" ADD "log" text`);
    await queryRunner.query(
      `CREATE TABLE "log_challenges" ("challenge" character varying(160) NOT NULL, "runId" uuid NOT NULL, "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_eed5ac8bf55c5376f549accc88d" PRIMARY KEY ("challenge"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "log_challenges"`);
    await queryRunner.query(`ALTER TABLE "training_runs" DROP COLUMN "log"`);
  }
}
