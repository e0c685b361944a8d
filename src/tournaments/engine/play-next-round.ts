import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { pauseAfterCommit } from '../../common/pause-point';
import type { BracketContext, RoundPlan } from '../../scoring/bracket';
import { NO_CHAMPION } from '../../scoring/tournament-evidence';
import { RoundPlannerService } from '../round-planner.service';
import type { TournamentState } from '../tournament-state';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';
import { TournamentTransitions } from '../tournament-transitions';
import { FinaliseTournament } from './finalise-tournament';

/** Creates the planned round, or ends the tournament when the plan says it is decided. */
@Injectable()
export class PlayNextRound {
  constructor(
    private readonly planner: RoundPlannerService,
    private readonly finalise: FinaliseTournament,
    private readonly transitions: TournamentTransitions,
    private readonly tournaments: TournamentRepository,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity, ctx: BracketContext, plan: RoundPlan): Promise<void> {
    if (plan.kind === 'done') {
      await this.finalise.run(t, ctx, plan.titleHolder);
      return;
    }
    if (plan.kind === 'boss' && ctx.champion === NO_CHAMPION) {
      // Nobody to defend: the last challenger takes the title without a boss round.
      await this.finalise.run(t, ctx, plan.challenger);
      return;
    }
    const now = this.clock.now();
    await this.planner.createRound(t, plan, (id) => id !== NO_CHAMPION, now);
    pauseAfterCommit('round-planned');
    const next: TournamentState = plan.kind === 'boss' ? 'boss_round' : 'rounds';
    const reason = `round ${plan.roundIndex} (${plan.kind}) training`;
    if (t.state !== next) await this.transitions.move(t, next, reason);
    else await this.tournaments.setStateReason(t, reason);
  }
}
