import type { WeightBasis } from '../scoring/tournament-evidence';

export interface WeightSubmission {
  status: string;
  detail: string;
  block: number | null;
  /** The u16 vector as emitted. */
  uids: number[];
  values: number[];
}

/**
 * Where a completed tournament's weights go: the chain, through the weight setter (ChainWeightSink).
 * Without a chain configured the setter records the vector and says it was not sent.
 */
export abstract class WeightSink {
  /** Sends (or records, in dry-run) the float weight vector made from `basis`; conversion to u16 happens inside. */
  abstract submit(uids: number[], weights: number[], basis: WeightBasis): Promise<WeightSubmission>;
}
