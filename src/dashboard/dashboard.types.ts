import type { RunOutcome, RunState } from '../runs/run-state';
import type { MetricDirection } from '../scoring/ranking';

/*
 * The dashboard routes' response shapes, shared with the pages: web/src/api.ts imports these types.
 * Keep this file to types and type-only imports of pure files (no Nest, TypeORM or Node), since the
 * web build type-checks it under web/tsconfig.json.
 */

export interface BaselineScoreRow {
  taskId: string;
  metricName: string;
  metricValue: number;
}

export interface AttemptRow {
  runId: string;
  attempt: number;
  state: RunState;
  outcome: RunOutcome | null;
}

export interface BoardRun {
  runId: string;
  taskId: string;
  roundId: string;
  entrantId: string;
  hotkey: string;
  attempt: number;
  state: RunState;
  outcome: RunOutcome | null;
  outcomeReason: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  metricName: string | null;
  metricValue: number | null;
}

/** What the tournament page needs beyond the public tournament routes, in one request. */
export interface TournamentBoard {
  tournamentId: string;
  /** Transitions as the audit log recorded them ("registration", "rounds", ..., "cancelled"). */
  timeline: Array<{ step: string; at: string; actor: string; reason: string | null }>;
  rounds: Array<{ roundId: string; index: number; kind: string; startedAt: string; decidedAt: string | null }>;
  runs: BoardRun[];
  baselines: BaselineScoreRow[];
  /** Which way each task's metric is better (from its task type's evaluator), by task id. */
  directions: Record<string, MetricDirection>;
}

export interface RunView {
  runId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  round: { roundId: string; index: number; kind: string; state: string };
  task: { taskType: string; datasetId: string };
  /** Reconstructed from the run's timestamps and its evaluation. */
  history: Array<{ state: string; at: string; note: string | null }>;
  /** The sandbox limits this service runs training under (wall time from the task). */
  limits: { wallSeconds: number; memoryMb: number; cpus: number; gpus: number; pidsLimit: number; outputMaxMb: number; scratchMb: number; logMaxKb: number };
  evaluation: {
    metricName: string;
    metricValue: number | null;
    accuracy: number | null;
    exampleCount: number | null;
    modelSha256: string | null;
    evaluatorVersion: string | null;
  } | null;
  attempts: AttemptRow[];
}

export interface MinerView {
  hotkey: string;
  entries: Array<{
    entrantId: string;
    tournamentId: string;
    type: string;
    cycle: number;
    tournamentState: string;
    status: string;
    rejectionReason: string | null;
    isChampion: boolean;
    won: boolean;
    finalRank: number | null;
    eliminatedInRound: number | null;
    receivedAt: string;
    runsSucceeded: number;
    runsFailed: number;
    meanMetric: number | null;
  }>;
  /** Oldest first: the weight each weight set gave the uid this hotkey had in its metagraph snapshot. */
  weights: Array<{ weightSetId: string; epoch: number; at: string; status: string; block: number | null; uid: number; weight: number }>;
}

export interface WeightSetView {
  id: string;
  netuid: number;
  epoch: number;
  uids: number[];
  values: number[];
  status: string;
  block: number | null;
  /** matches: the chain holds exactly the u16 vector sent; differs; not_read: nothing read back yet. */
  readBack: 'matches' | 'differs' | 'not_read';
  error: string | null;
  tries: number;
  createdAt: string;
  settledAt: string | null;
  tournamentIds: string[];
}

export interface AuditRecomputeView {
  /** When this service last re-derived its bundles; null when there were none to check. */
  at: string | null;
  days: number;
  fromSequence: number | null;
  toSequence: number | null;
  ok: boolean | null;
  checks: Array<{ name: string; description: string; passed: boolean; checked: number; skipped: number; problems: number; firstDifference: string | null }>;
}
