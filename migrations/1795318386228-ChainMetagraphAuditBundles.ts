import { MigrationInterface, QueryRunner } from "typeorm";

export class ChainMetagraphAuditBundles1795318386228 implements MigrationInterface {
    name = 'ChainMetagraphAuditBundles1795318386228'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_bundles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "day" character(10) NOT NULL, "sequence" integer NOT NULL, "previousSha256" character(64), "sha256" character(64) NOT NULL, "signature" character varying(130) NOT NULL, "signer" character varying(64) NOT NULL, "body" text NOT NULL, "sealedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_04ef70c53ad44156e3be3809345" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_audit_bundles_sequence" ON "audit_bundles" ("sequence") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_audit_bundles_day" ON "audit_bundles" ("day") `);
        await queryRunner.query(`CREATE TABLE "metagraph_neurons" ("netuid" integer NOT NULL, "uid" integer NOT NULL, "hotkey" character varying(64) NOT NULL, "coldkey" character varying(64) NOT NULL, "validatorPermit" boolean NOT NULL, "stake" numeric(39,0) NOT NULL, "lastUpdate" integer NOT NULL, "syncedBlock" integer NOT NULL, "syncedAt" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8009902ae7fd05d82f3f036fee5" PRIMARY KEY ("netuid", "uid"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_metagraph_neurons_hotkey" ON "metagraph_neurons" ("netuid", "hotkey") `);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "hotkey" character varying(64)`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "salt" integer array`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "commitHash" character varying(66)`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "commitBlock" integer`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "revealFromBlock" integer`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "revealUntilBlock" integer`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "firstSentBlock" integer`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "readBack" jsonb`);
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "attempts" jsonb NOT NULL DEFAULT '[]'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "attempts"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "readBack"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "firstSentBlock"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "revealUntilBlock"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "revealFromBlock"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "commitBlock"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "commitHash"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "salt"`);
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "hotkey"`);
        await queryRunner.query(`DROP INDEX "public"."idx_metagraph_neurons_hotkey"`);
        await queryRunner.query(`DROP TABLE "metagraph_neurons"`);
        await queryRunner.query(`DROP INDEX "public"."idx_audit_bundles_day"`);
        await queryRunner.query(`DROP INDEX "public"."idx_audit_bundles_sequence"`);
        await queryRunner.query(`DROP TABLE "audit_bundles"`);
    }

}
