import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AttemptRow, BaselineScoreRow, BoardRun } from './dashboard.types';

export interface TimelineEventRow {
  action: string;
  occurredAt: Date;
  actor: string;
  reason: string | null;
}

export interface RoundTimesRow {
  roundId: string;
  index: number;
  kind: string;
  createdAt: Date;
  decidedAt: Date | null;
}

/** One run as the tournament page lists it (BoardRun), with its times as the database returns them. */
export type BoardRunRow = Omit<BoardRun, 'queuedAt' | 'startedAt' | 'finishedAt'> & { queuedAt: Date; startedAt: Date | null; finishedAt: Date | null };

export interface RunContextRow {
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  roundId: string;
  roundIndex: number;
  roundKind: string;
  roundState: string;
  taskType: string;
  datasetId: string;
  timeLimitSeconds: number;
  metricName: string | null;
  metricValue: number | null;
  accuracy: number | null;
  exampleCount: number | null;
  modelSha256: string | null;
  evaluatorVersion: string | null;
  evaluatedAt: Date | null;
}

export interface MinerEntryRow {
  entrantId: string;
  tournamentId: string;
  type: string;
  cycle: number;
  tournamentState: string;
  ranking: string[] | null;
  winnerEntrantId: string | null;
  status: string;
  rejectionReason: string | null;
  isChampion: boolean;
  eliminatedInRound: number | null;
  receivedAt: Date;
  runsSucceeded: number;
  runsFailed: number;
  meanMetric: number | null;
}

export interface WeightSetRow {
  id: string;
  netuid: number;
  epoch: number;
  uids: number[];
  values: number[];
  floats: Record<string, number>;
  status: string;
  block: number | null;
  readBack: Array<[number, number]> | null;
  error: string | null;
  tries: number;
  createdAt: Date;
  settledAt: Date | null;
  tournamentIds: string[] | null;
  /** The uid the asked-for hotkey had in the set's metagraph snapshot (only when a hotkey was given). */
  hotkeyUid: number | null;
}

export interface BundleBodyRow {
  sequence: number;
  sha256: string;
  signature: string;
  signer: string;
  body: string;
}

const toNumber = (v: string | number | null): number | null => (v === null ? null : Number(v));

/** Read-only queries behind the dashboard's pages: one round trip per page section. */
@Injectable()
export class DashboardReadRepository {
  constructor(private readonly ds: DataSource) {}

  /** A tournament's transitions as the audit log recorded them, oldest first. */
  tournamentEvents(tournamentId: string): Promise<TimelineEventRow[]> {
    return this.ds.query(
      `SELECT action, "occurredAt", actor, payload->>'reason' AS reason
         FROM audit_events WHERE "subjectType" = 'tournament' AND "subjectId" = $1 ORDER BY id`,
      [tournamentId],
    );
  }

  roundTimes(tournamentId: string): Promise<RoundTimesRow[]> {
    return this.ds.query(`SELECT id AS "roundId", index, kind, "createdAt", "decidedAt" FROM rounds WHERE "tournamentId" = $1 ORDER BY index`, [tournamentId]);
  }

  /** Latest round first: a running tournament's live runs lead the list. */
  async boardRuns(tournamentId: string): Promise<BoardRunRow[]> {
    const rows: Array<BoardRunRow & { metricValue: string | number | null }> = await this.ds.query(
      `SELECT r.id AS "runId", r."taskId", t."roundId", r."entrantId", e.hotkey, r.attempt, r.state, r.outcome,
              r."outcomeReason", r."queuedAt", r."startedAt", r."finishedAt", ev."metricName", ev."metricValue"
         FROM training_runs r
         JOIN tasks t ON t.id = r."taskId"
         JOIN rounds ro ON ro.id = t."roundId"
         JOIN entrants e ON e.id = r."entrantId"
         LEFT JOIN evaluations ev ON ev."runId" = r.id
        WHERE r."tournamentId" = $1
        ORDER BY ro.index DESC, t.slot, e."receivedAt", r.attempt`,
      [tournamentId],
    );
    return rows.map((r) => ({ ...r, metricValue: toNumber(r.metricValue) }));
  }

  /** The scores of the tasks' base models (runId null), for the chart's reference line. */
  async baselineScores(tournamentId: string): Promise<BaselineScoreRow[]> {
    const rows: Array<BaselineScoreRow & { metricValue: string | number }> = await this.ds.query(
      `SELECT ev."taskId", ev."metricName", ev."metricValue"
         FROM evaluations ev JOIN tasks t ON t.id = ev."taskId"
        WHERE t."tournamentId" = $1 AND ev."runId" IS NULL`,
      [tournamentId],
    );
    return rows.map((r) => ({ ...r, metricValue: Number(r.metricValue) }));
  }

  async runContext(runId: string): Promise<RunContextRow | null> {
    const rows: RunContextRow[] = await this.ds.query(
      `SELECT e.hotkey, e."repoUrl", e."commitSha", ro.id AS "roundId", ro.index AS "roundIndex", ro.kind AS "roundKind",
              ro.state AS "roundState", t."taskType", t."datasetId", t."timeLimitSeconds",
              ev."metricName", ev."metricValue", ev.accuracy, ev."exampleCount", ev."modelSha256",
              ev."evaluatorVersion", ev."createdAt" AS "evaluatedAt"
         FROM training_runs r
         JOIN entrants e ON e.id = r."entrantId"
         JOIN tasks t ON t.id = r."taskId"
         JOIN rounds ro ON ro.id = t."roundId"
         LEFT JOIN evaluations ev ON ev."runId" = r.id
        WHERE r.id = $1`,
      [runId],
    );
    return rows[0] ?? null;
  }

  attempts(taskId: string, entrantId: string): Promise<AttemptRow[]> {
    return this.ds.query(
      `SELECT id AS "runId", attempt, state, outcome FROM training_runs WHERE "taskId" = $1 AND "entrantId" = $2 ORDER BY attempt`,
      [taskId, entrantId],
    );
  }

  async minerEntries(hotkey: string, limit: number): Promise<MinerEntryRow[]> {
    const rows: Array<MinerEntryRow & Record<'runsSucceeded' | 'runsFailed' | 'meanMetric', string | number | null>> = await this.ds.query(
      `SELECT e.id AS "entrantId", t.id AS "tournamentId", t.type, t.cycle, t.state AS "tournamentState", t.ranking,
              t."winnerEntrantId", e.status, e."rejectionReason", e."isChampion", e."eliminatedInRound", e."receivedAt",
              COUNT(r.id) FILTER (WHERE r.outcome = 'succeeded') AS "runsSucceeded",
              COUNT(r.id) FILTER (WHERE r.outcome IS NOT NULL AND r.outcome <> 'succeeded') AS "runsFailed",
              AVG(ev."metricValue") AS "meanMetric"
         FROM entrants e
         JOIN tournaments t ON t.id = e."tournamentId"
         LEFT JOIN training_runs r ON r."entrantId" = e.id
         LEFT JOIN evaluations ev ON ev."runId" = r.id
        WHERE e.hotkey = $1
        GROUP BY e.id, t.id
        ORDER BY e."receivedAt" DESC
        LIMIT $2`,
      [hotkey, limit],
    );
    return rows.map((r) => ({ ...r, runsSucceeded: Number(r.runsSucceeded), runsFailed: Number(r.runsFailed), meanMetric: toNumber(r.meanMetric) }));
  }

  /** Newest weight sets first; with a hotkey, also the uid it had in each set's metagraph snapshot. */
  async weightSets(limit: number, hotkey: string | null = null): Promise<WeightSetRow[]> {
    const rows: Array<WeightSetRow & { hotkeyUid: string | null }> = await this.ds.query(
      `SELECT id, netuid, epoch, uids, values, floats, status, block, "readBack", error, tries, "createdAt", "settledAt",
              basis->'tournamentIds' AS "tournamentIds",
              CASE WHEN $2::text IS NULL THEN NULL ELSE basis->'metagraph'->'uids'->>$2::text END AS "hotkeyUid"
         FROM weight_sets ORDER BY "createdAt" DESC, epoch DESC LIMIT $1`,
      [limit, hotkey],
    );
    return rows.map((r) => ({ ...r, hotkeyUid: toNumber(r.hotkeyUid) }));
  }

  /** Envelopes of the bundles sealed since `since`, oldest first (what `crucible audit --days` reads). */
  bundlesSince(since: Date): Promise<BundleBodyRow[]> {
    return this.ds.query(`SELECT sequence, sha256, signature, signer, body FROM audit_bundles WHERE "sealedAt" >= $1 ORDER BY sequence`, [since]);
  }

  async latestBundleSequence(): Promise<number | null> {
    const rows: Array<{ max: number | null }> = await this.ds.query(`SELECT MAX(sequence) AS max FROM audit_bundles`);
    return rows[0]?.max ?? null;
  }
}
