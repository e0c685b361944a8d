import { Injectable } from '@nestjs/common';
import type { BracketContext } from '../../scoring/bracket';
import { NO_CHAMPION } from '../../scoring/tournament-evidence';
import { EntrantRepository } from '../../submissions/entrant.repository';
import type { TournamentEntity } from '../tournament.entity';

/** The bracket's inputs for a tournament: its accepted challengers, its champion and its rules. */
@Injectable()
export class BracketContexts {
  constructor(private readonly entrants: EntrantRepository) {}

  async of(t: TournamentEntity): Promise<BracketContext> {
    const accepted = await this.entrants.accepted(t.id);
    const champion = accepted.find((e) => e.isChampion);
    const rules = t.rulebook;
    return {
      entrants: accepted.filter((e) => !e.isChampion).map((e) => e.id),
      champion: champion?.id ?? NO_CHAMPION,
      seed: t.id,
      rules: { knockoutMax: rules.knockoutMax, groupSize: rules.groupSize, groupAdvance: rules.groupAdvance, bossTasks: rules.bossTasks },
    };
  }
}
