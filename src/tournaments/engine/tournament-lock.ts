import { Injectable } from '@nestjs/common';
import { Transactor } from '../../common/transactor';
import type { TournamentState } from '../tournament-state';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';

/**
 * A step on one tournament runs in a transaction that holds its row lock (SKIP LOCKED: a second
 * worker skips it), so two workers never take the same step twice.
 */
@Injectable()
export class TournamentLock {
  constructor(
    private readonly tx: Transactor,
    private readonly tournaments: TournamentRepository,
  ) {}

  /** Runs `step` under the lock; false when the tournament is gone or another worker holds it. */
  run(id: string, step: (t: TournamentEntity) => Promise<boolean>): Promise<boolean> {
    return this.tx.run(async () => {
      const t = await this.tournaments.lockForUpdate(id);
      if (!t) return false;
      return step(t);
    });
  }

  /** Records the result of an outside call made without the lock, if the tournament is still where the call started. */
  record(id: string, expected: TournamentState, record: (t: TournamentEntity) => Promise<void>): Promise<boolean> {
    return this.run(id, async (t) => {
      if (t.state !== expected) return false;
      await record(t);
      return true;
    });
  }
}
