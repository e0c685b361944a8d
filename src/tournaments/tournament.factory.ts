import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { ValidationError } from '../common/domain-error';
import { BASELINE_HOTKEY } from '../scoring/tournament-evidence';
import { EntrantRepository } from '../submissions/entrant.repository';
import { ChampionRef, TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';
import { newTournamentRulebook, TournamentRulebook, validateTournamentRulebook } from './tournament-rulebook';

export interface NextCycleInput {
  type: string;
  opensAt: Date;
  registrationMinutes?: number;
  /** A full rulebook to run under; default: the current defaults. */
  rulebook?: TournamentRulebook;
}

/** Creates the next cycle of a tournament type, with its rulebook frozen and its champion resolved. */
@Injectable()
export class TournamentFactory {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrants: EntrantRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  autoScheduledTypes(): string[] {
    return this.config.tournaments.autoSchedule ? this.config.tournaments.types : [];
  }

  async createNextCycle(input: NextCycleInput, manager: EntityManager): Promise<TournamentEntity> {
    const rulebook = input.rulebook ?? newTournamentRulebook();
    if (input.registrationMinutes) rulebook.schedule.registrationMinutes = input.registrationMinutes;
    const problems = validateTournamentRulebook(rulebook);
    if (problems.length) throw new ValidationError(`invalid rulebook: ${problems.join('; ')}`, ['rulebook']);
    if (!(input.type in rulebook.pools)) {
      throw new ValidationError(`tournament type ${input.type} has no weight pool in the rulebook`, ['type']);
    }

    const latest = await this.tournaments.latestOfType(input.type, manager);
    const closesAt = new Date(input.opensAt.getTime() + rulebook.schedule.registrationMinutes * 60_000);
    return this.tournaments.insert(
      {
        type: input.type,
        cycle: (latest?.cycle ?? 0) + 1,
        state: input.opensAt.getTime() <= this.clock.now().getTime() ? 'registration' : 'scheduled',
        stateReason: null,
        rulebook: rulebook as unknown as Record<string, unknown>,
        rulebookVersion: rulebook.version,
        registrationOpensAt: input.opensAt,
        registrationClosesAt: closesAt,
        endsBy: new Date(closesAt.getTime() + rulebook.schedule.maxDurationHours * 3600_000),
        defendingChampion: await this.resolveChampion(latest, manager),
      },
      manager,
    );
  }

  /** The last completed tournament's winner defends; the first tournament faces the baseline repo. */
  private async resolveChampion(latest: TournamentEntity | null, manager: EntityManager): Promise<ChampionRef | null> {
    const previous = latest?.state === 'completed' ? latest : await this.lastCompleted(latest, manager);
    if (previous?.winnerEntrantId) {
      const winner = await this.entrants.findById(previous.winnerEntrantId, manager);
      if (winner) {
        const defended = winner.isChampion && previous.defendingChampion;
        return {
          hotkey: winner.hotkey,
          repoUrl: winner.repoUrl,
          commitSha: winner.commitSha,
          sourceEntrantId: winner.id,
          defences: defended ? previous.defendingChampion!.defences + 1 : 0,
          receivedAt: winner.receivedAt.toISOString(),
        };
      }
    }
    const baseline = this.config.tournaments.baseline;
    if (!baseline) return null;
    return { hotkey: BASELINE_HOTKEY, repoUrl: baseline.repoUrl, commitSha: baseline.commitSha, defences: 0, receivedAt: new Date(0).toISOString() };
  }

  private async lastCompleted(latest: TournamentEntity | null, manager: EntityManager): Promise<TournamentEntity | null> {
    if (!latest) return null;
    return this.tournaments.lastCompletedOfType(latest.type, manager);
  }
}
