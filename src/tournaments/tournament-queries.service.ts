import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/domain-error';
import { DatasetRegistry } from '../evaluation/datasets/dataset-registry';
import { Page, PageRequest } from '../common/pagination';
import { RunFilter, RunRepository } from '../runs/run.repository';
import { TrainingRunEntity } from '../runs/training-run.entity';
import { EntrantEntity } from '../submissions/entrant.entity';
import { EntrantRepository } from '../submissions/entrant.repository';
import { LeaderboardEntry, orderLeaderboard } from './leaderboard';
import { RoundEntity } from './round.entity';
import { StandingsRepository } from './standings.repository';
import { TaskEntity } from './task.entity';
import { TournamentEntity } from './tournament.entity';
import { TournamentFilter, TournamentRepository } from './tournament.repository';

/** Read side of tournaments for the API and the CLI. */
@Injectable()
export class TournamentQueriesService {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly entrantRepo: EntrantRepository,
    private readonly runs: RunRepository,
    private readonly standings: StandingsRepository,
    private readonly datasets: DatasetRegistry,
  ) {}

  /** Whether a dataset's test split can be known before the reveal, with the reason (shown with every task). */
  datasetVisibility(datasetId: string): { visibility: string; note: string } {
    return this.datasets.has(datasetId) ? this.datasets.visibility(datasetId) : { visibility: 'unknown', note: 'the dataset is not in this service\'s registry' };
  }

  list(filter: TournamentFilter, page: PageRequest): Promise<Page<TournamentEntity>> {
    return this.tournaments.page(filter, page);
  }

  async get(id: string): Promise<TournamentEntity> {
    const t = await this.tournaments.findById(id);
    if (!t) throw new NotFoundError('tournament', id);
    return t;
  }

  async rounds(id: string): Promise<RoundEntity[]> {
    await this.get(id);
    return this.tournaments.rounds(id);
  }

  async tasks(id: string): Promise<TaskEntity[]> {
    await this.get(id);
    return this.tournaments.tasks(id);
  }

  async entrants(id: string, page: PageRequest): Promise<Page<EntrantEntity>> {
    await this.get(id);
    return this.entrantRepo.page(id, page);
  }

  async runsOf(id: string, filter: Omit<RunFilter, 'tournamentId'>, page: PageRequest): Promise<Page<TrainingRunEntity>> {
    await this.get(id);
    return this.runs.page({ ...filter, tournamentId: id }, page);
  }

  async run(runId: string): Promise<TrainingRunEntity> {
    const run = await this.runs.findById(runId);
    if (!run) throw new NotFoundError('run', runId);
    return run;
  }

  async leaderboard(id: string): Promise<{ tournament: TournamentEntity; entries: LeaderboardEntry[] }> {
    const tournament = await this.get(id);
    const rows = await this.standings.standings(id);
    return { tournament, entries: orderLeaderboard(rows, tournament.ranking) };
  }
}
