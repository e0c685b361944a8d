import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Standings marks (issue 14): triggers add a row, in the transaction of the change, whenever
 * something a tournament's leaderboard shows changes (a run starts or finishes, an evaluation is
 * recorded, an entrant is accepted, eliminated or made champion, the tournament changes state or
 * ranking). The sum of a tournament's weights is its standings version: it grows with every
 * committed change, whatever order concurrent transactions commit in, so the API recomputes the
 * leaderboard once per change and answers unchanged requests from memory or with 304. Inserts only:
 * no writer waits for another. Readers fold old rows into one of the same total weight.
 * Hand-written: triggers and functions are outside what TypeORM generates; the table has no entity.
 */
export class StandingsMarks1795400800000 implements MigrationInterface {
  name = 'StandingsMarks1795400800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "standings_marks" (
        "id" BIGSERIAL NOT NULL,
        "tournamentId" uuid NOT NULL,
        "weight" bigint NOT NULL DEFAULT 1,
        CONSTRAINT "PK_standings_marks" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_standings_marks_tournament" ON "standings_marks" ("tournamentId", "id") INCLUDE ("weight")`);
    await queryRunner.query(`
      CREATE FUNCTION crucible_standings_mark() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        tid uuid;
      BEGIN
        IF TG_TABLE_NAME = 'tournaments' THEN
          tid := NEW."id";
        ELSIF TG_TABLE_NAME = 'evaluations' THEN
          tid := (SELECT r."tournamentId" FROM "training_runs" r WHERE r."id" = NEW."runId");
        ELSE
          tid := NEW."tournamentId";
        END IF;
        IF tid IS NOT NULL THEN
          INSERT INTO "standings_marks" ("tournamentId") VALUES (tid);
        END IF;
        RETURN NULL;
      END;
      $$`);
    await queryRunner.query(`CREATE TRIGGER tournaments_standings_insert AFTER INSERT ON "tournaments" FOR EACH ROW EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`
      CREATE TRIGGER tournaments_standings_update AFTER UPDATE OF "state", "ranking" ON "tournaments" FOR EACH ROW
      WHEN (OLD."state" IS DISTINCT FROM NEW."state" OR OLD."ranking" IS DISTINCT FROM NEW."ranking")
      EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`CREATE TRIGGER entrants_standings_insert AFTER INSERT ON "entrants" FOR EACH ROW EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`
      CREATE TRIGGER entrants_standings_update AFTER UPDATE ON "entrants" FOR EACH ROW
      WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."isChampion" IS DISTINCT FROM NEW."isChampion"
         OR OLD."eliminatedInRound" IS DISTINCT FROM NEW."eliminatedInRound" OR OLD."uid" IS DISTINCT FROM NEW."uid"
         OR OLD."hotkey" IS DISTINCT FROM NEW."hotkey" OR OLD."repoUrl" IS DISTINCT FROM NEW."repoUrl"
         OR OLD."commitSha" IS DISTINCT FROM NEW."commitSha" OR OLD."receivedAt" IS DISTINCT FROM NEW."receivedAt")
      EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`CREATE TRIGGER training_runs_standings_insert AFTER INSERT ON "training_runs" FOR EACH ROW EXECUTE FUNCTION crucible_standings_mark()`);
    // Claims move runs between active states, which the standings do not tell apart: no mark.
    await queryRunner.query(`
      CREATE TRIGGER training_runs_standings_update AFTER UPDATE ON "training_runs" FOR EACH ROW
      WHEN ((OLD."state" = 'finished') IS DISTINCT FROM (NEW."state" = 'finished') OR OLD."outcome" IS DISTINCT FROM NEW."outcome"
         OR OLD."entrantId" IS DISTINCT FROM NEW."entrantId")
      EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`CREATE TRIGGER evaluations_standings_insert AFTER INSERT ON "evaluations" FOR EACH ROW EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`
      CREATE TRIGGER evaluations_standings_update AFTER UPDATE ON "evaluations" FOR EACH ROW
      WHEN (OLD."metricValue" IS DISTINCT FROM NEW."metricValue" OR OLD."runId" IS DISTINCT FROM NEW."runId")
      EXECUTE FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`INSERT INTO "standings_marks" ("tournamentId") SELECT "id" FROM "tournaments"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [trigger, table] of [
      ['evaluations_standings_update', 'evaluations'],
      ['evaluations_standings_insert', 'evaluations'],
      ['training_runs_standings_update', 'training_runs'],
      ['training_runs_standings_insert', 'training_runs'],
      ['entrants_standings_update', 'entrants'],
      ['entrants_standings_insert', 'entrants'],
      ['tournaments_standings_update', 'tournaments'],
      ['tournaments_standings_insert', 'tournaments'],
    ]) {
      await queryRunner.query(`DROP TRIGGER ${trigger} ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION crucible_standings_mark()`);
    await queryRunner.query(`DROP TABLE "standings_marks"`);
  }
}
