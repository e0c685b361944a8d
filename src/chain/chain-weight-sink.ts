import { Injectable } from '@nestjs/common';
import type { WeightBasis } from '../scoring/tournament-evidence';
import { WeightSetterService } from './weight-setter.service';
import { WeightSink, WeightSubmission } from './weight-sink';

/** The tournament engine's WeightSink, backed by the weight setter (one vector per epoch). */
@Injectable()
export class ChainWeightSink extends WeightSink {
  constructor(private readonly setter: WeightSetterService) {
    super();
  }

  async submit(uids: number[], weights: number[], basis: WeightBasis): Promise<WeightSubmission> {
    const r = await this.setter.setWeightsForEpoch(new Map(uids.map((u, i) => [u, weights[i]])), { basis });
    const detail =
      r.status === 'dry_run'
        ? `dry run: recorded for epoch ${r.epoch}, not sent`
        : r.status === 'committed'
          ? `committed for epoch ${r.epoch}; reveal from block ${r.revealFromBlock ?? '?'}`
          : r.alreadyHandled
            ? `epoch ${r.epoch} already handled (${r.status})`
            : `set in block ${r.block ?? '?'} for epoch ${r.epoch}${r.readBackMatches === false ? ' (read-back differs!)' : ''}`;
    return { status: r.status, detail, block: r.block, uids: r.uids, values: r.values };
  }
}
