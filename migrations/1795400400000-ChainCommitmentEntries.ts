import { MigrationInterface, QueryRunner } from "typeorm";

/** Entries from chain commitments: where an entry came from, the commitment's block and the block it was read at. */
export class ChainCommitmentEntries1795400400000 implements MigrationInterface {
    name = 'ChainCommitmentEntries1795400400000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "entrants" ADD "source" character varying(8) NOT NULL DEFAULT 'http'`);
        await queryRunner.query(`ALTER TABLE "entrants" ADD "commitmentBlock" integer`);
        await queryRunner.query(`ALTER TABLE "entrants" ADD "readAtBlock" integer`);
        await queryRunner.query(`ALTER TABLE "entrants" ALTER COLUMN "signature" DROP NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "idx_entrants_chain_commitment" ON "entrants" ("tournamentId", "hotkey", "commitmentBlock") WHERE "source" = 'chain'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_entrants_chain_commitment"`);
        await queryRunner.query(`DELETE FROM "entrants" WHERE "signature" IS NULL`);
        await queryRunner.query(`ALTER TABLE "entrants" ALTER COLUMN "signature" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "entrants" DROP COLUMN "readAtBlock"`);
        await queryRunner.query(`ALTER TABLE "entrants" DROP COLUMN "commitmentBlock"`);
        await queryRunner.query(`ALTER TABLE "entrants" DROP COLUMN "source"`);
    }

}
