import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795317228392 implements MigrationInterface {
    name = 'Initial1795317228392'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "occurredAt" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" character varying(128) NOT NULL, "action" character varying(64) NOT NULL, "subjectType" character varying(32) NOT NULL, "subjectId" character varying(64) NOT NULL, "payload" jsonb NOT NULL, CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_audit_events_subject" ON "audit_events" ("subjectType", "subjectId") `);
        await queryRunner.query(`CREATE INDEX "idx_audit_events_at" ON "audit_events" ("occurredAt") `);
        await queryRunner.query(`CREATE TABLE "weight_sets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "netuid" integer NOT NULL, "epoch" integer NOT NULL, "uids" integer array NOT NULL, "values" integer array NOT NULL, "floats" jsonb NOT NULL, "versionKey" character varying(24) NOT NULL, "status" character varying(16) NOT NULL, "block" integer, "extrinsicHash" character varying(80), "error" text, "tries" integer NOT NULL DEFAULT '0', "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "settledAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_718413774a965461667cf0316aa" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_weight_sets_epoch" ON "weight_sets" ("netuid", "epoch") `);
        await queryRunner.query(`CREATE TABLE "evaluations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "taskId" uuid NOT NULL, "runId" uuid, "metricName" character varying(64) NOT NULL, "metricValue" double precision NOT NULL, "accuracy" double precision, "exampleCount" integer NOT NULL, "lossesPath" text NOT NULL, "lossesSha256" character(64) NOT NULL, "modelSha256" character(64) NOT NULL, "evaluatorVersion" character varying(64) NOT NULL, "executionProvider" character varying(16) NOT NULL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f683b433eba0e6dae7e19b29e29" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_evaluations_baseline" ON "evaluations" ("taskId") WHERE "runId" IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_evaluations_run" ON "evaluations" ("runId") WHERE "runId" IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "idx_evaluations_task" ON "evaluations" ("taskId") `);
        await queryRunner.query(`CREATE TABLE "training_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tournamentId" uuid NOT NULL, "taskId" uuid NOT NULL, "entrantId" uuid NOT NULL, "attempt" integer NOT NULL, "state" character varying(16) NOT NULL, "outcome" character varying(16), "outcomeReason" text, "hardware" character varying(16) NOT NULL, "runnerKind" character varying(16), "runnerRef" character varying(256), "imageDigest" character varying(128), "exitCode" integer, "artifactSha256" character(64), "artifactPath" text, "logPath" text, "claimedBy" character varying(128), "leaseExpiresAt" TIMESTAMP WITH TIME ZONE, "queuedAt" TIMESTAMP WITH TIME ZONE NOT NULL, "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3f5056858e48ed5e97b4faaa05a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_runs_state" ON "training_runs" ("state", "queuedAt") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_runs_task_entrant_attempt" ON "training_runs" ("taskId", "entrantId", "attempt") `);
        await queryRunner.query(`CREATE TABLE "entrants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tournamentId" uuid NOT NULL, "hotkey" character varying(64) NOT NULL, "coldkey" character varying(64), "uid" integer, "repoUrl" character varying(512) NOT NULL, "commitSha" character(40) NOT NULL, "treeHash" character(40), "signature" character varying(130) NOT NULL, "status" character varying(16) NOT NULL, "rejectionReason" text, "isChampion" boolean NOT NULL DEFAULT false, "eliminatedInRound" integer, "receivedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6ee49e20d2ab8b03315eedf6521" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_entrants_tournament_received" ON "entrants" ("tournamentId", "receivedAt") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_entrants_live_hotkey" ON "entrants" ("tournamentId", "hotkey") WHERE "status" = 'accepted'`);
        await queryRunner.query(`CREATE TABLE "rounds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tournamentId" uuid NOT NULL, "index" integer NOT NULL, "kind" character varying(16) NOT NULL, "state" character varying(16) NOT NULL, "stateReason" text, "advancing" jsonb, "decision" jsonb, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "decidedAt" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9d254884a20817016e2f877c7e7" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_rounds_tournament_index" ON "rounds" ("tournamentId", "index") `);
        await queryRunner.query(`CREATE TABLE "tasks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tournamentId" uuid NOT NULL, "roundId" uuid NOT NULL, "slot" integer NOT NULL, "taskType" character varying(32) NOT NULL, "datasetId" character varying(128) NOT NULL, "baseModel" character varying(256) NOT NULL, "timeLimitSeconds" integer NOT NULL, "hardware" character varying(32) NOT NULL, "seedCommitment" character(64) NOT NULL, "testSetCommitment" character(64) NOT NULL, "revealedSeed" character varying(128), "revealedAt" TIMESTAMP WITH TIME ZONE, "spec" jsonb NOT NULL, "trainDir" text, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8d12ff38fcc62aaba2cab748772" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_tasks_tournament" ON "tasks" ("tournamentId") `);
        await queryRunner.query(`CREATE INDEX "idx_tasks_round" ON "tasks" ("roundId", "slot") `);
        await queryRunner.query(`CREATE TABLE "tournaments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(64) NOT NULL, "cycle" integer NOT NULL, "state" character varying(32) NOT NULL, "stateReason" text, "rulebook" jsonb NOT NULL, "rulebookVersion" character varying(32) NOT NULL, "registrationOpensAt" TIMESTAMP WITH TIME ZONE NOT NULL, "registrationClosesAt" TIMESTAMP WITH TIME ZONE NOT NULL, "endsBy" TIMESTAMP WITH TIME ZONE NOT NULL, "defendingChampion" jsonb, "winnerEntrantId" uuid, "ranking" jsonb, "publication" jsonb, "startedAt" TIMESTAMP WITH TIME ZONE, "finishedAt" TIMESTAMP WITH TIME ZONE, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL, CONSTRAINT "PK_6d5d129da7a80cf99e8ad4833a9" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_tournaments_state" ON "tournaments" ("state") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_tournaments_type_cycle" ON "tournaments" ("type", "cycle") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_tournaments_type_cycle"`);
        await queryRunner.query(`DROP INDEX "public"."idx_tournaments_state"`);
        await queryRunner.query(`DROP TABLE "tournaments"`);
        await queryRunner.query(`DROP INDEX "public"."idx_tasks_round"`);
        await queryRunner.query(`DROP INDEX "public"."idx_tasks_tournament"`);
        await queryRunner.query(`DROP TABLE "tasks"`);
        await queryRunner.query(`DROP INDEX "public"."idx_rounds_tournament_index"`);
        await queryRunner.query(`DROP TABLE "rounds"`);
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_live_hotkey"`);
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_tournament_received"`);
        await queryRunner.query(`DROP TABLE "entrants"`);
        await queryRunner.query(`DROP INDEX "public"."idx_runs_task_entrant_attempt"`);
        await queryRunner.query(`DROP INDEX "public"."idx_runs_state"`);
        await queryRunner.query(`DROP TABLE "training_runs"`);
        await queryRunner.query(`DROP INDEX "public"."idx_evaluations_task"`);
        await queryRunner.query(`DROP INDEX "public"."idx_evaluations_run"`);
        await queryRunner.query(`DROP INDEX "public"."idx_evaluations_baseline"`);
        await queryRunner.query(`DROP TABLE "evaluations"`);
        await queryRunner.query(`DROP INDEX "public"."idx_weight_sets_epoch"`);
        await queryRunner.query(`DROP TABLE "weight_sets"`);
        await queryRunner.query(`DROP INDEX "public"."idx_audit_events_at"`);
        await queryRunner.query(`DROP INDEX "public"."idx_audit_events_subject"`);
        await queryRunner.query(`DROP TABLE "audit_events"`);
    }

}
