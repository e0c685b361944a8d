import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentTransitions } from '../tournament-transitions';

/** scheduled -> registration once the planned opening time has come. */
@Injectable()
export class OpenRegistration {
  constructor(
    private readonly transitions: TournamentTransitions,
    private readonly clock: Clock,
  ) {}

  /** Whether the step has anything to do now; the scheduler asks before taking the tournament's lock. */
  due(t: TournamentEntity): boolean {
    return this.clock.now() >= t.registrationOpensAt;
  }

  async run(t: TournamentEntity): Promise<boolean> {
    const now = this.clock.now();
    if (now < t.registrationOpensAt) return false;
    // Opened late (the service was down across the planned start): the cycle starts now, once,
    // and keeps its full registration window and time budget.
    const lateMs = now.getTime() - t.registrationOpensAt.getTime();
    if (lateMs > 0) {
      t.registrationClosesAt = new Date(t.registrationClosesAt.getTime() + lateMs);
      t.endsBy = new Date(t.endsBy.getTime() + lateMs);
    }
    const reason = lateMs >= 60_000 ? `registration open, ${Math.round(lateMs / 60_000)} min after its planned time (window and budget moved with it)` : 'registration open';
    await this.transitions.move(t, 'registration', reason, lateMs > 0 ? { plannedOpensAt: t.registrationOpensAt.toISOString(), lateMs } : {});
    return true;
  }
}
