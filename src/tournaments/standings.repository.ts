import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

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
  meanMetric: number | null;
  runsSucceeded: number;
  runsFailed: number;
  runsActive: number;
}

/** A row as pg returns it: counts (bigint) and averages (numeric) arrive as strings. */
type RawStanding = Omit<StandingRow, 'tasksScored' | 'meanMetric' | 'runsSucceeded' | 'runsFailed' | 'runsActive'> &
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
              AVG(ev."metricValue") AS "meanMetric",
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
    return rows.map((r) => ({
      ...r,
      receivedAt: new Date(r.receivedAt),
      tasksScored: Number(r.tasksScored),
      meanMetric: r.meanMetric === null ? null : Number(r.meanMetric),
      runsSucceeded: Number(r.runsSucceeded),
      runsFailed: Number(r.runsFailed),
      runsActive: Number(r.runsActive),
    }));
  }
}
