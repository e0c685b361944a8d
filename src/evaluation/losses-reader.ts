import * as fs from 'node:fs';
import { decodeLosses } from './model-scorer';

/** Reads the per-example losses an evaluation stored (the boss round's bootstrap, copies, the weights preview). */
export abstract class LossesReader {
  abstract read(lossesPath: string): Promise<Float64Array>;
}

/** Losses files as the evaluator writes them: little-endian float64, one per test example. */
export class FileLossesReader extends LossesReader {
  async read(lossesPath: string): Promise<Float64Array> {
    return decodeLosses(await fs.promises.readFile(lossesPath));
  }
}
