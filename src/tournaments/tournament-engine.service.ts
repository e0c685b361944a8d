import { Injectable } from '@nestjs/common';
import { forgetPendingPause, pauseIfCommitted } from '../common/pause-point';
import { CompleteTournament } from './engine/complete-tournament';
import { EnsureBaselines } from './engine/ensure-baselines';
import { OpenRegistration } from './engine/open-registration';
import { ProgressRound } from './engine/progress-round';
import { PublishWinner } from './engine/publish-winner';
import { SetTournamentWeights } from './engine/set-tournament-weights';
import { StartTournament } from './engine/start-tournament';
import { TournamentLock } from './engine/tournament-lock';
import type { TournamentEntity } from './tournament.entity';
import type { TournamentState } from './tournament-state';
import { TournamentRepository } from './tournament.repository';

/**
 * Moves tournaments through their lifecycle, one idempotent step per call: picks the step for the
 * tournament's state (engine/, one use case per file). Every step runs in a transaction that holds
 * the tournament's row lock (SKIP LOCKED: a second worker skips it), so two workers never decide the
 * same round twice. Slow outside calls (publishing, chain) run outside the lock against idempotent
 * adapters, then the result is recorded under the lock.
 */
@Injectable()
export class TournamentEngineService {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly lock: TournamentLock,
    private readonly openRegistration: OpenRegistration,
    private readonly start: StartTournament,
    private readonly progressRound: ProgressRound,
    private readonly complete: CompleteTournament,
    private readonly publishWinner: PublishWinner,
    private readonly setWeights: SetTournamentWeights,
    private readonly baselines: EnsureBaselines,
  ) {}

  /**
   * Advances one active tournament as far as it can go now, then makes sure its round's baselines are
   * scored. The scheduler calls it once per tournament, each in its own guarded step.
   */
  async advanceActive(id: string): Promise<void> {
    const { settled } = await this.advanceUntilSettled(id);
    // The state the last, unchanged step found (a step that changed it leaves it to be read again).
    const state = settled === undefined ? (await this.tournaments.findById(id))?.state : settled;
    if (state === 'rounds' || state === 'boss_round') await this.baselines.run(id);
  }

  /** Advances one tournament as far as it can go now; returns whether anything changed. */
  async advance(id: string): Promise<boolean> {
    return (await this.advanceUntilSettled(id)).changed;
  }

  /** `settled`: the state the final step found and left (null: gone); undefined when the steps ran out still moving. */
  private async advanceUntilSettled(id: string): Promise<{ changed: boolean; settled?: TournamentState | null }> {
    let changed = false;
    for (let step = 0; step < 10; step++) {
      const { moved, state } = await this.stepOnce(id);
      if (!moved) return { changed, settled: state };
      changed = true;
    }
    return { changed };
  }

  private async stepOnce(id: string): Promise<{ moved: boolean; state: TournamentState | null }> {
    const peek = await this.tournaments.findById(id);
    if (!peek) return { moved: false, state: null };
    const moved = await this.stepFrom(peek);
    return { moved, state: peek.state };
  }

  private async stepFrom(peek: TournamentEntity): Promise<boolean> {
    const id = peek.id;
    switch (peek.state) {
      case 'finalised':
        return this.publishWinner.run(id);
      case 'published':
        return this.setWeights.run(id);
      default:
        // Not due yet as read without the lock: no transaction, no row lock (an idle tick stays read-only).
        if (!this.dueWithoutLock(peek)) return false;
        try {
          const moved = await this.lock.run(id, (t) => this.stepLocked(t));
          pauseIfCommitted();
          return moved;
        } finally {
          forgetPendingPause();
        }
    }
  }

  /** The time-triggered steps, checked again under the lock; the others always look under it. */
  private dueWithoutLock(t: TournamentEntity): boolean {
    switch (t.state) {
      case 'scheduled':
        return this.openRegistration.due(t);
      case 'registration':
        return this.start.due(t);
      default:
        return true;
    }
  }

  private stepLocked(t: TournamentEntity): Promise<boolean> {
    switch (t.state) {
      case 'scheduled':
        return this.openRegistration.run(t);
      case 'registration':
        return this.start.run(t);
      case 'rounds':
      case 'boss_round':
        return this.progressRound.run(t);
      case 'weights_set':
        return this.complete.run(t);
      default:
        return Promise.resolve(false);
    }
  }
}
