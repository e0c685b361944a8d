import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { BracketContext } from '../../scoring/bracket';
import { NO_CHAMPION } from '../../scoring/tournament-evidence';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentEvidenceService } from '../tournament-evidence.service';
import { TournamentTransitions } from '../tournament-transitions';

/** The final ranking comes from the same derivation (evidence -> decisions) that the weights and the auditor use. */
@Injectable()
export class FinaliseTournament {
  constructor(
    private readonly evidence: TournamentEvidenceService,
    private readonly transitions: TournamentTransitions,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity, ctx: BracketContext, titleHolder: string, reason?: string): Promise<void> {
    const derivation = await this.evidence.derive(t);
    if (derivation.winnerEntrantId !== (titleHolder === NO_CHAMPION ? null : titleHolder)) {
      throw new Error(`tournament ${t.id}: the derivation names ${derivation.winnerEntrantId} as title holder, the engine ${titleHolder}`);
    }
    t.ranking = derivation.ranking;
    t.winnerEntrantId = derivation.winnerEntrantId;
    t.finishedAt = this.clock.now();
    const decided = `decided: ${titleHolder === ctx.champion ? 'the champion keeps the title' : 'a new champion'}`;
    await this.transitions.move(t, 'finalised', reason ? `${decided} (${reason})` : decided, { ranking: t.ranking, winnerEntrantId: t.winnerEntrantId, overrun: t.overrun ?? undefined });
  }
}
