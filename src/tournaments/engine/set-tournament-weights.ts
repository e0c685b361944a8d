import { Injectable } from '@nestjs/common';
import { WeightSink } from '../../chain/weight-sink';
import { pausePoint } from '../../common/pause-point';
import { TournamentRepository } from '../tournament.repository';
import { TournamentTransitions } from '../tournament-transitions';
import { WeightsPreviewService } from '../weights-preview.service';
import { TournamentLock } from './tournament-lock';

/** published -> weights_set: the current weight vector goes to the chain (outside the lock, one per epoch), then is recorded. */
@Injectable()
export class SetTournamentWeights {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly preview: WeightsPreviewService,
    private readonly weights: WeightSink,
    private readonly transitions: TournamentTransitions,
    private readonly lock: TournamentLock,
  ) {}

  async run(id: string): Promise<boolean> {
    const t = await this.tournaments.findById(id);
    if (!t || t.state !== 'published') return false;
    const { vector, basis } = await this.preview.preview();
    const submission = vector.uids.length
      ? await this.weights.submit(vector.uids, vector.weights, basis)
      : { status: 'skipped', detail: 'no weights to set', block: null, uids: [], values: [] };
    pausePoint('weights-made');
    return this.lock.record(id, 'published', async (locked) => {
      await this.transitions.move(locked, 'weights_set', `weights ${submission.status}: ${submission.detail}`, {
        weights: { uids: vector.uids, floats: vector.weights, u16: { uids: submission.uids, values: submission.values }, block: submission.block, status: submission.status },
      });
    });
  }
}
