import { MigrationInterface, QueryRunner } from "typeorm";

/** The overrun marker: set when a tournament was finalised at its time budget (endsBy) by the overrun rule. */
export class TournamentOverrun1795400500000 implements MigrationInterface {
    name = 'TournamentOverrun1795400500000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tournaments" ADD "overrun" jsonb`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tournaments" DROP COLUMN "overrun"`);
    }

}
