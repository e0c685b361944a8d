import { MigrationInterface, QueryRunner } from "typeorm";

export class WeightSetBasis1795400200000 implements MigrationInterface {
    name = 'WeightSetBasis1795400200000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "weight_sets" ADD "basis" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "weight_sets" DROP COLUMN "basis"`);
    }

}
