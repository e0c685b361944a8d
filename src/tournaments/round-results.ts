import type { EvaluationEntity } from '../evaluation/evaluation.entity';
import type { TrainingRunEntity } from '../runs/training-run.entity';
import type { TaskResult } from '../scoring/ranking';
import type { TaskEntity } from './task.entity';

/** Where a round stands, computed (pure) from its tasks, runs and evaluations. */
export type RoundProgress =
  | { status: 'running'; pending: number; finished: number }
  | { status: 'waiting_infra'; stuck: StuckRun[] }
  | { status: 'complete'; results: Map<string, FinalResult[]>; givenUp: StuckRun[] };

/** The latest attempt of a (task, entrant) that ended in an infra failure with no immediate retry left. */
export interface StuckRun {
  taskId: string;
  entrantId: string;
  attempt: number;
  hardware: string;
  reason: string;
  /** Infra failures of this (task, entrant) over all its attempts. */
  infraFailures: number;
}

export interface RoundLimits {
  /** Infra failures one (task, entrant) may have in total; at this many the run is given up (no result). */
  maxInfraFailures: number;
  /** The round's deadline passed: it is decided with what it has, infra failures given up. */
  deadlinePassed: boolean;
}

export interface FinalResult {
  entrantId: string;
  runId: string;
  loss: number | null;
  lossesPath: string | null;
  /** The scored model file's sha256 (copy check). */
  modelSha256: string | null;
}

export function roundProgress(tasks: TaskEntity[], runs: TrainingRunEntity[], evaluations: EvaluationEntity[], limits: RoundLimits): RoundProgress {
  const latest = new Map<string, TrainingRunEntity>();
  const infraFailures = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.taskId}/${run.entrantId}`;
    const seen = latest.get(key);
    if (!seen || run.attempt > seen.attempt) latest.set(key, run);
    if (run.outcome === 'infra_failed') infraFailures.set(key, (infraFailures.get(key) ?? 0) + 1);
  }
  const scoreOf = new Map(evaluations.filter((e) => e.runId).map((e) => [e.runId!, e]));
  let pending = 0;
  const stuck: StuckRun[] = [];
  const givenUp: StuckRun[] = [];
  const results = new Map<string, FinalResult[]>(tasks.map((t) => [t.id, []]));
  for (const run of latest.values()) {
    if (run.state !== 'finished') {
      pending++;
      continue;
    }
    if (run.outcome === 'infra_failed') {
      const failures = infraFailures.get(`${run.taskId}/${run.entrantId}`) ?? 1;
      const s = { taskId: run.taskId, entrantId: run.entrantId, attempt: run.attempt, hardware: run.hardware, reason: run.outcomeReason ?? 'infrastructure failure', infraFailures: failures };
      if (limits.deadlinePassed || failures >= limits.maxInfraFailures) {
        // No result on this task; the entrant is not charged beyond it (no miner attempt spent).
        givenUp.push(s);
        results.get(run.taskId)?.push({ entrantId: run.entrantId, runId: run.id, loss: null, lossesPath: null, modelSha256: null });
      } else stuck.push(s);
      continue;
    }
    const score = run.outcome === 'succeeded' ? scoreOf.get(run.id) : undefined;
    results.get(run.taskId)?.push({ entrantId: run.entrantId, runId: run.id, loss: score?.metricValue ?? null, lossesPath: score?.lossesPath ?? null, modelSha256: score?.modelSha256 ?? null });
  }
  if (pending > 0) return { status: 'running', pending, finished: latest.size - pending };
  if (stuck.length > 0) return { status: 'waiting_infra', stuck };
  return { status: 'complete', results, givenUp };
}

/** Bracket input for one slot: the slot's results, plus a failed result for any member without a run. */
export function slotResults(members: string[], final: FinalResult[], submittedAt: (id: string) => number): TaskResult[] {
  const byEntrant = new Map(final.map((r) => [r.entrantId, r]));
  return members.map((id) => ({ entrantId: id, submittedAt: submittedAt(id), loss: byEntrant.get(id)?.loss ?? null }));
}
