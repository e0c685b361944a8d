import type { TaskType } from '../evaluation/task-data';
import type { TaskTypeParams } from '../scoring/rulebook';
import type { TrainingRunEntity } from './training-run.entity';

/** The task a run trains on, as the sandbox and the evaluator need it. */
export interface RunTask {
  id: string;
  taskType: TaskType;
  datasetId: string;
  secretSeed: string;
  spec: Record<string, unknown>;
  /** The task type's constants recorded on the task (rulebook `taskTypes.<type>`), for its evaluation. */
  params: TaskTypeParams;
  trainDir: string | null;
  timeLimitSeconds: number;
}

export interface RunInputs {
  task: RunTask;
  /** Attempts per run the tournament's rulebook charges the miner for. */
  attempts: number;
  /** Contamination score at or above which a model is rejected (the tournament's rulebook). */
  contaminationThreshold: number;
}

/**
 * What a run executes and under which rules: tasks and rulebooks belong to tournaments, which sit
 * above runs, so runs reads them through this port (TournamentRunInputs implements it).
 */
export abstract class RunInputsSource {
  /** Null when the run's task or tournament is missing. */
  abstract forRun(run: TrainingRunEntity): Promise<RunInputs | null>;
}
