import { MigrationInterface, QueryRunner } from "typeorm";

export class TaskSeedsChampionEntries1795317703626 implements MigrationInterface {
    name = 'TaskSeedsChampionEntries1795317703626'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tasks" ADD "secretSeed" character varying(128) NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_entrants_signature" ON "entrants" ("signature") WHERE NOT "isChampion"`);
        // The champion's carried-over entry may share its hotkey with a fresh entry of the same miner.
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_live_hotkey"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_entrants_live_hotkey" ON "entrants" ("tournamentId", "hotkey") WHERE "status" = 'accepted' AND NOT "isChampion"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_live_hotkey"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_entrants_live_hotkey" ON "entrants" ("tournamentId", "hotkey") WHERE "status" = 'accepted'`);
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_signature"`);
        await queryRunner.query(`ALTER TABLE "tasks" DROP COLUMN "secretSeed"`);
    }

}
