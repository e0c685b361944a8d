import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { metricDirectionOf } from '../evaluation/task-types/metric-direction';
import { meanTaskPlaces, TaskScore } from '../scoring/task-places';

export interface StandingRow {
  entrantId: string;
  hotkey: string;
  uid: number | null;
  repoUrl: string;
  commitSha: string;
  receivedAt: Date;
  isChampion: boolean;
  eliminatedInRound: number | null;
  tasksScored: number;
  /** Mean of the entrant's metrics; null when it has none, or when its tasks' metrics differ (e.g. a reward and a loss). */
  meanMetric: number | null;
  /** Mean place over its scored tasks, 0 best to 1 worst, each in its metric's direction (scoring/task-places.ts). */
  meanPlace: number | null;
  runsSucceeded: number;
  runsFailed: number;
  runsActive: number;
}

/** A row as pg returns it: counts (bigint) and averages (numeric) arrive as strings. */
type RawStanding = Omit<StandingRow, 'tasksScored' | 'meanMetric' | 'meanPlace' | 'runsSucceeded' | 'runsFailed' | 'runsActive'> &
  Record<'tasksScored' | 'runsSucceeded' | 'runsFailed' | 'runsActive', string> & { meanMetric: string | number | null };

/** A tournament's standings version (null: no such tournament) and how many mark rows carry it. */
export interface StandingsVersion {
  version: string | null;
  marks: number;
}

/** Per-entrant aggregates of a tournament in one query, for the live leaderboard; and their version. */
@Injectable()
export class StandingsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * The sum of the tournament's standings marks (migration StandingsMarks): it grows with every
   * committed change to what the leaderboard shows, so equal versions mean equal standings.
   */
  async version(tournamentId: string): Promise<StandingsVersion> {
    const [row]: { version: string | null; marks: number }[] = await this.ds.query(
      `SELECT sum("weight")::text AS version, count(*)::int AS marks FROM "standings_marks" WHERE "tournamentId" = $1`,
      [tournamentId],
    );
    return row;
  }

  /**
   * Folds the tournament's committed marks into one row of the same total weight, so reading the
   * version stays one short index scan. A mark still uncommitted is not folded and adds its weight
   * when it commits; two readers folding at once each fold only the rows they deleted.
   */
  async foldMarks(tournamentId: string): Promise<void> {
    await this.ds.query(
      `WITH gone AS (DELETE FROM "standings_marks" WHERE "tournamentId" = $1 RETURNING "weight")
       INSERT INTO "standings_marks" ("tournamentId", "weight") SELECT $1, sum("weight") FROM gone HAVING count(*) > 0`,
      [tournamentId],
    );
  }

  async standings(tournamentId: string): Promise<StandingRow[]> {
    const rows: RawStanding[] = await this.ds.query(
      `SELECT e.id AS "entrantId", e.hotkey, e.uid, e."repoUrl", e."commitSha", e."receivedAt",
              e."isChampion", e."eliminatedInRound",
              COUNT(DISTINCT ev.id) AS "tasksScored",
              CASE WHEN COUNT(DISTINCT ev."metricName") <= 1 THEN AVG(ev."metricValue") END AS "meanMetric",
              COUNT(r.id) FILTER (WHERE r.outcome = 'succeeded') AS "runsSucceeded",
              COUNT(r.id) FILTER (WHERE r.outcome IS NOT NULL AND r.outcome <> 'succeeded') AS "runsFailed",
              COUNT(r.id) FILTER (WHERE r.state <> 'finished') AS "runsActive"
         FROM entrants e
         LEFT JOIN training_runs r ON r."entrantId" = e.id
         LEFT JOIN evaluations ev ON ev."runId" = r.id
        WHERE e."tournamentId" = $1 AND e.status = 'accepted'
        GROUP BY e.id`,
      [tournamentId],
    );
    const places = meanTaskPlaces(await this.taskScores(tournamentId));
    return rows.map((r) => ({
      ...r,
      receivedAt: new Date(r.receivedAt),
      tasksScored: Number(r.tasksScored),
      meanMetric: r.meanMetric === null ? null : Number(r.meanMetric),
      meanPlace: places.get(r.entrantId) ?? null,
      runsSucceeded: Number(r.runsSucceeded),
      runsFailed: Number(r.runsFailed),
      runsActive: Number(r.runsActive),
    }));
  }

  /** Every scored run of the tournament with its task's metric direction (a task row missing: lower, as losses). */
  private async taskScores(tournamentId: string): Promise<TaskScore[]> {
    const rows: Array<{ entrantId: string; taskId: string; taskType: string | null; metricValue: number }> = await this.ds.query(
      `SELECT r."entrantId", ev."taskId", t."taskType", ev."metricValue"
         FROM evaluations ev
         JOIN training_runs r ON r.id = ev."runId"
         LEFT JOIN tasks t ON t.id = ev."taskId"
        WHERE r."tournamentId" = $1`,
      [tournamentId],
    );
    return rows.map((r) => ({ entrantId: r.entrantId, taskId: r.taskId, direction: r.taskType === null ? 'lower' : metricDirectionOf(r.taskType), metricValue: Number(r.metricValue) }));
  }
}
