import { convertWeightsAndUidsForEmit } from '../scoring/u16';
import { WeightSink, WeightSubmission } from './outcome-ports';

/** No chain configured: the vector is converted exactly as it would be emitted, and not sent. */
export class DryRunWeightSink extends WeightSink {
  async submit(uids: number[], weights: number[]): Promise<WeightSubmission> {
    const emit = convertWeightsAndUidsForEmit(uids, weights);
    return { status: 'dry_run', detail: 'no chain configured (CRUCIBLE_CHAIN_ENDPOINT); nothing sent', block: null, uids: emit.uids, values: emit.weights };
  }
}
