/**
 * The worker's periodic duties besides tournaments (metagraph sync, chain entries, weights every
 * epoch, audit sealing), run by the scheduler after each tick's tournament steps. They reach folders
 * above tournaments (audit), so the composition root provides them (src/chain-upkeep.service.ts).
 */
export abstract class Upkeep {
  abstract run(): Promise<void>;
}
