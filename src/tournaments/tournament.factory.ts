import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { ValidationError } from '../common/domain-error';
import { BASELINE_HOTKEY } from '../scoring/tournament-evidence';
import { DatasetRegistry } from '../evaluation/datasets/dataset-registry';
import { isTaskType } from '../evaluation/task-types';
import { EntrantRepository } from '../submissions/entrant.repository';
import { ChampionRef, TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';
import { newTournamentRulebook, TournamentRulebook, validateTournamentRulebook } from '../scoring/tournament-rulebook';

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
  private readonly logger = new Logger(TournamentFactory.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrants: EntrantRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly datasets: DatasetRegistry,
  ) {}

  autoScheduledTypes(): string[] {
    return this.config.tournaments.autoSchedule ? this.config.tournaments.types : [];
  }

  /** The rulebook a new cycle of `type` runs under: defaults, CRUCIBLE_RULEBOOK_OVERRIDES, then the type's schedule. */
  rulebookFor(type: string): TournamentRulebook {
    const t = this.config.tournaments;
    return newTournamentRulebook({ rules: t.rulebookOverrides, schedule: t.schedules[type] });
  }

  async createNextCycle(input: NextCycleInput): Promise<TournamentEntity> {
    const rulebook = input.rulebook ?? this.rulebookFor(input.type);
    if (input.registrationMinutes) rulebook.schedule.registrationMinutes = input.registrationMinutes;
    const problems = validateTournamentRulebook(rulebook);
    if (problems.length) throw new ValidationError(`invalid rulebook: ${problems.join('; ')}`, ['rulebook']);
    if (!(input.type in rulebook.pools)) {
      throw new ValidationError(`tournament type ${input.type} has no weight pool in the rulebook`, ['type']);
    }
    const noEvaluator = (rulebook.tournamentTaskTypes[input.type] ?? []).filter((taskType) => !isTaskType(taskType));
    if (noEvaluator.length) throw new ValidationError(`task type(s) ${noEvaluator.join(', ')} of tournament type ${input.type} have no evaluator`, ['rulebook']);
    this.checkDatasets(input.type, rulebook);

    const latest = await this.tournaments.latestOfType(input.type);
    const closesAt = new Date(input.opensAt.getTime() + rulebook.schedule.registrationMinutes * 60_000);
    return this.tournaments.insert(
      {
        type: input.type,
        cycle: (latest?.cycle ?? 0) + 1,
        state: input.opensAt.getTime() <= this.clock.now().getTime() ? 'registration' : 'scheduled',
        stateReason: null,
        rulebook,
        rulebookVersion: rulebook.version,
        registrationOpensAt: input.opensAt,
        registrationClosesAt: closesAt,
        endsBy: new Date(closesAt.getTime() + rulebook.schedule.maxDurationHours * 3600_000),
        defendingChampion: await this.resolveChampion(latest),
      },
    );
  }

  /**
   * Every dataset the type draws on must exist; a type that earns emission may use a public dataset
   * (whose test split a miner can recover) only with the rulebook's allowPublicDatasets, and then every
   * start says so in the log.
   */
  private checkDatasets(type: string, rulebook: TournamentRulebook): void {
    const ids = new Set((rulebook.tournamentTaskTypes[type] ?? []).flatMap((taskType) => rulebook.taskCatalog[taskType]?.datasets ?? []));
    const unknown = [...ids].filter((id) => !this.datasets.has(id));
    if (unknown.length) throw new ValidationError(`unknown dataset ${unknown.join(', ')} in the rulebook's task catalogue`, ['rulebook']);
    const publicIds = [...ids].filter((id) => this.datasets.visibility(id).visibility === 'public');
    if (publicIds.length === 0 || (rulebook.pools[type] ?? 0) === 0) return;
    if (!rulebook.allowPublicDatasets) {
      throw new ValidationError(
        `tournament type ${type} sets weights but draws on public dataset(s) ${publicIds.join(', ')}: a miner can recover their test split; use generated or private datasets, or set allowPublicDatasets in the rulebook`,
        ['rulebook'],
      );
    }
    this.logger.warn({ type, datasets: publicIds }, 'weight-setting tournament on public datasets (allowPublicDatasets): their test split can be recovered by miners');
  }

  /** The last completed tournament's winner defends; the first tournament faces the baseline repo. */
  private async resolveChampion(latest: TournamentEntity | null): Promise<ChampionRef | null> {
    const previous = latest?.state === 'completed' ? latest : await this.lastCompleted(latest);
    if (previous?.winnerEntrantId) {
      const winner = await this.entrants.findById(previous.winnerEntrantId);
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

  private async lastCompleted(latest: TournamentEntity | null): Promise<TournamentEntity | null> {
    if (!latest) return null;
    return this.tournaments.lastCompletedOfType(latest.type);
  }
}
