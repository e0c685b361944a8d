import type { RunOutcome } from './run-outcome';

/**
 * What the tournament engine asks of the execution layer: run one (task, entrant) training attempt
 * to its typed outcome. Implemented on top of the SandboxRunner port (Docker or Kubernetes) by the
 * sandbox module; an in-memory fake stands in for orchestration tests.
 */
export interface TrainingJob {
  runId: string;
  tournamentId: string;
  taskId: string;
  entrantId: string;
  attempt: number;
  repoUrl: string;
  commitSha: string;
  /** Written to /task/task.json inside the sandbox. Never holds the seed of the hidden split or test data. */
  taskSpec: Record<string, unknown>;
  /** Host directory holding the training split only; mounted read-only at /data/train. */
  trainDir: string;
  timeLimitSeconds: number;
  /** Hardware class, e.g. "cpu" or "gpu"; decides image, GPU count and concurrency pool. */
  hardware: string;
}

export interface TrainingResult {
  outcome: RunOutcome;
  /** Shown to the miner: why the run ended the way it did. */
  reason: string;
  exitCode: number | null;
  /** Host path of the produced model.onnx (only when outcome is succeeded). */
  modelPath: string | null;
  imageDigest: string | null;
  logPath: string | null;
  runnerKind: string;
  runnerRef: string | null;
}

export interface TrainingHooks {
  /** Called once the container/Job exists, so a restarted worker can adopt it. */
  onStarted(runnerKind: string, runnerRef: string): Promise<void>;
  /**
   * Called with the run's end (exit facts, the collected model) BEFORE the sandbox is removed: once it
   * returns the end is durable, so a crash during clean-up never turns a finished run into a lost one.
   */
  onEnded?(result: TrainingResult): Promise<void>;
}

export abstract class TrainingExecutor {
  abstract execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult>;
  /**
   * Finds the sandbox of a run whose start was never recorded (the worker died between starting
   * it and onStarted), so it is adopted rather than started a second time.
   */
  abstract locate(job: TrainingJob): Promise<{ runnerKind: string; runnerRef: string } | null>;
  /** Re-attach to a run a previous process started (runnerRef from onStarted) and finish it. */
  abstract adopt(job: TrainingJob, runnerKind: string, runnerRef: string, hooks?: Pick<TrainingHooks, 'onEnded'>): Promise<TrainingResult>;
}
