import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The live-events outbox (issue 12). Triggers append an event in the same transaction as every run
 * state change, round decision, tournament transition and weight set, so no writer can forget one and
 * an event exists exactly when its change committed. API replicas tail the table by id.
 * Hand-written: triggers and functions are outside what TypeORM generates; the table has no entity.
 */
export class EventsOutbox1795400600000 implements MigrationInterface {
  name = 'EventsOutbox1795400600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "events" (
        "id" BIGSERIAL NOT NULL,
        "type" character varying(16) NOT NULL,
        "tournamentId" uuid,
        "data" jsonb NOT NULL,
        "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT "PK_events" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "idx_events_recorded_at" ON "events" ("recordedAt")`);
    // The row's own time when it records one (the app's clock), else the time of the write; ISO 8601 in UTC.
    await queryRunner.query(`
      CREATE FUNCTION crucible_event_time(t timestamptz) RETURNS text LANGUAGE sql VOLATILE AS $$
        SELECT to_char(COALESCE(t, clock_timestamp()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      $$`);
    await queryRunner.query(`
      CREATE FUNCTION crucible_run_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD."state" IS NOT DISTINCT FROM NEW."state" AND OLD."outcome" IS NOT DISTINCT FROM NEW."outcome" THEN
          RETURN NULL;
        END IF;
        INSERT INTO "events" ("type", "tournamentId", "data") VALUES ('run', NEW."tournamentId", jsonb_build_object(
          'runId', NEW."id",
          'tournamentId', NEW."tournamentId",
          'roundId', (SELECT t."roundId" FROM "tasks" t WHERE t."id" = NEW."taskId"),
          'taskId', NEW."taskId",
          'entrantId', NEW."entrantId",
          'hotkey', (SELECT e."hotkey" FROM "entrants" e WHERE e."id" = NEW."entrantId"),
          'attempt', NEW."attempt",
          'hardware', NEW."hardware",
          'state', NEW."state",
          'outcome', NEW."outcome",
          'reason', NEW."outcomeReason",
          'at', crucible_event_time(CASE NEW."state" WHEN 'queued' THEN NEW."queuedAt" WHEN 'starting' THEN NEW."startedAt" WHEN 'finished' THEN NEW."finishedAt" END)));
        RETURN NULL;
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER training_runs_events AFTER INSERT OR UPDATE OF "state", "outcome" ON "training_runs"
      FOR EACH ROW EXECUTE FUNCTION crucible_run_event()`);
    await queryRunner.query(`
      CREATE FUNCTION crucible_round_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD."state" IS NOT DISTINCT FROM NEW."state" THEN
          RETURN NULL;
        END IF;
        INSERT INTO "events" ("type", "tournamentId", "data") VALUES ('round', NEW."tournamentId", jsonb_build_object(
          'tournamentId', NEW."tournamentId",
          'roundId', NEW."id",
          'index', NEW."index",
          'stage', NEW."kind",
          'state', NEW."state",
          'decided', NEW."state" = 'decided',
          'reason', NEW."stateReason",
          'at', crucible_event_time(CASE WHEN NEW."state" = 'decided' THEN NEW."decidedAt" WHEN TG_OP = 'INSERT' THEN NEW."createdAt" END)));
        RETURN NULL;
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER rounds_events AFTER INSERT OR UPDATE OF "state" ON "rounds"
      FOR EACH ROW EXECUTE FUNCTION crucible_round_event()`);
    await queryRunner.query(`
      CREATE FUNCTION crucible_tournament_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD."state" IS NOT DISTINCT FROM NEW."state" THEN
          RETURN NULL;
        END IF;
        INSERT INTO "events" ("type", "tournamentId", "data") VALUES ('tournament', NEW."id", jsonb_build_object(
          'tournamentId', NEW."id",
          'type', NEW."type",
          'cycle', NEW."cycle",
          'state', NEW."state",
          'reason', NEW."stateReason",
          'at', crucible_event_time(NULL)));
        RETURN NULL;
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER tournaments_events AFTER INSERT OR UPDATE OF "state" ON "tournaments"
      FOR EACH ROW EXECUTE FUNCTION crucible_tournament_event()`);
    await queryRunner.query(`
      CREATE FUNCTION crucible_weights_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD."status" IS NOT DISTINCT FROM NEW."status" AND OLD."block" IS NOT DISTINCT FROM NEW."block" THEN
          RETURN NULL;
        END IF;
        INSERT INTO "events" ("type", "tournamentId", "data") VALUES ('weights', NULL, jsonb_build_object(
          'weightSetId', NEW."id",
          'netuid', NEW."netuid",
          'epoch', NEW."epoch",
          'status', NEW."status",
          'block', NEW."block",
          'error', NEW."error",
          'at', crucible_event_time(NULL)));
        RETURN NULL;
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER weight_sets_events AFTER INSERT OR UPDATE OF "status", "block" ON "weight_sets"
      FOR EACH ROW EXECUTE FUNCTION crucible_weights_event()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER weight_sets_events ON "weight_sets"`);
    await queryRunner.query(`DROP TRIGGER tournaments_events ON "tournaments"`);
    await queryRunner.query(`DROP TRIGGER rounds_events ON "rounds"`);
    await queryRunner.query(`DROP TRIGGER training_runs_events ON "training_runs"`);
    await queryRunner.query(`DROP FUNCTION crucible_weights_event()`);
    await queryRunner.query(`DROP FUNCTION crucible_tournament_event()`);
    await queryRunner.query(`DROP FUNCTION crucible_round_event()`);
    await queryRunner.query(`DROP FUNCTION crucible_run_event()`);
    await queryRunner.query(`DROP FUNCTION crucible_event_time(timestamptz)`);
    await queryRunner.query(`DROP TABLE "events"`);
  }
}
