import type { EvaluationEntity } from '../evaluation/evaluation.entity';
import type { TrainingRunEntity } from '../runs/training-run.entity';
import type { TaskResult } from '../scoring/ranking';
import type { TaskEntity } from './task.entity';

/** Where a round stands, computed (pure) from its tasks, runs and evaluations. */
export type RoundProgress =
  | { status: 'running'; pending: number; finished: number }
  | { status: 'waiting_infra'; stuck: StuckRun[] }
  | { status: 'complete'; results: Map<string, FinalResult[]> };

/** The latest attempt of a (task, entrant) that ended in an infra failure with no retry left. */
export interface StuckRun {
  taskId: string;
  entrantId: string;
  attempt: number;
  hardware: string;
  reason: string;
}

export interface FinalResult {
  entrantId: string;
  runId: string;
  loss: number | null;
  lossesPath: string | null;
}

export function roundProgress(tasks: TaskEntity[], runs: TrainingRunEntity[], evaluations: EvaluationEntity[]): RoundProgress {
  const latest = new Map<string, TrainingRunEntity>();
  for (const run of runs) {
    const key = `${run.taskId}/${run.entrantId}`;
    const seen = latest.get(key);
    if (!seen || run.attempt > seen.attempt) latest.set(key, run);
  }
  const scoreOf = new Map(evaluations.filter((e) => e.runId).map((e) => [e.runId!, e]));
  let pending = 0;
  const stuck: StuckRun[] = [];
  const results = new Map<string, FinalResult[]>(tasks.map((t) => [t.id, []]));
  for (const run of latest.values()) {
    if (run.state !== 'finished') {
      pending++;
      continue;
    }
    if (run.outcome === 'infra_failed') {
      stuck.push({ taskId: run.taskId, entrantId: run.entrantId, attempt: run.attempt, hardware: run.hardware, reason: run.outcomeReason ?? 'infrastructure failure' });
      continue;
    }
    const score = run.outcome === 'succeeded' ? scoreOf.get(run.id) : undefined;
    results.get(run.taskId)?.push({ entrantId: run.entrantId, runId: run.id, loss: score?.metricValue ?? null, lossesPath: score?.lossesPath ?? null });
  }
  if (pending > 0) return { status: 'running', pending, finished: latest.size - pending };
  if (stuck.length > 0) return { status: 'waiting_infra', stuck };
  return { status: 'complete', results };
}

/** Bracket input for one slot: the slot's results, plus a failed result for any member without a run. */
export function slotResults(members: string[], final: FinalResult[], submittedAt: (id: string) => number): TaskResult[] {
  const byEntrant = new Map(final.map((r) => [r.entrantId, r]));
  return members.map((id) => ({ entrantId: id, submittedAt: submittedAt(id), loss: byEntrant.get(id)?.loss ?? null }));
}
