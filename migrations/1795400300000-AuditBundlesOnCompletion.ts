import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditBundlesOnCompletion1795400300000 implements MigrationInterface {
    name = 'AuditBundlesOnCompletion1795400300000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_audit_bundles_day"`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" ADD "kind" character varying(16) NOT NULL DEFAULT 'day'`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" ALTER COLUMN "kind" DROP DEFAULT`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" ADD "subject" character varying(64)`);
        await queryRunner.query(`UPDATE "audit_bundles" SET "subject" = "day"`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" ALTER COLUMN "subject" SET NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_audit_bundles_subject" ON "audit_bundles" ("kind", "subject") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_audit_bundles_subject"`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" DROP COLUMN "subject"`);
        await queryRunner.query(`ALTER TABLE "audit_bundles" DROP COLUMN "kind"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_audit_bundles_day" ON "audit_bundles" ("day") `);
    }

}
