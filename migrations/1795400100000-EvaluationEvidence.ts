import { MigrationInterface, QueryRunner } from "typeorm";

export class EvaluationEvidence1795400100000 implements MigrationInterface {
    name = 'EvaluationEvidence1795400100000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "evaluations" ADD "causality" jsonb`);
        await queryRunner.query(`ALTER TABLE "training_runs" ADD "evidence" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "training_runs" DROP COLUMN "evidence"`);
        await queryRunner.query(`ALTER TABLE "evaluations" DROP COLUMN "causality"`);
    }

}
