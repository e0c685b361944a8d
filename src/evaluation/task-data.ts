/**
 * What the tournament engine asks of the evaluation layer. Implemented by the evaluation module
 * (datasets, seeded splits, commitments, ONNX checks and inference in a worker process).
 */
import type { TaskTypeParams } from '../scoring/rulebook';
import type { ContaminationReport } from './contamination';
import type { CausalityEvidence } from './task-types/causality';

export type TaskType = 'causal-lm' | 'classification' | 'image' | 'instruct' | 'preference' | 'reward';

export interface TaskDataRequest {
  taskId: string;
  taskType: TaskType;
  datasetId: string;
  /** Secret until the tournament ends; decides the train/test split. */
  seed: string;
  /**
   * The task's constants from its rulebook (`taskTypes.<type>`, recorded on the task as spec.params),
   * e.g. the DPO beta; absent: the values from before rulebooks carried them.
   */
  params?: TaskTypeParams;
}

export interface PreparedTaskData {
  /** Host directory with the training split only (safe to mount into a sandbox). */
  trainDir: string;
  /** sha256 hex of the seed, published at task creation. */
  seedCommitment: string;
  /** sha256 hex of the canonical hidden test split, published at task creation. */
  testSetCommitment: string;
  /** Hints for /task/task.json (vocab size, sequence length, ...). */
  specHints: Record<string, unknown>;
}

export interface ModelScore {
  metricName: string;
  /** Lower is better. */
  metricValue: number;
  accuracy: number | null;
  exampleCount: number;
  lossesPath: string;
  lossesSha256: string;
  modelSha256: string;
  evaluatorVersion: string;
  executionProvider: string;
  /** The causality check's sample and result (sequence-scoring task types), sealed with the evaluation. */
  causality: CausalityEvidence | null;
}

/** Flat facts behind a rejection (e.g. the causality check's example, position and cut), sealed with the run. */
export type RejectionEvidence = Record<string, string | number | boolean | null | number[]>;

export type EvaluationResult =
  | { ok: true; score: ModelScore }
  /** `infra` true: the evaluator itself failed (not the miner's fault, retried). */
  | { ok: false; infra: boolean; code: string; reason: string; evidence?: RejectionEvidence };

export abstract class TaskDataService {
  abstract prepare(req: TaskDataRequest): Promise<PreparedTaskData>;
  /** Scores a model file on the task's hidden test split. */
  abstract evaluate(req: TaskDataRequest, modelPath: string): Promise<EvaluationResult>;
  /** Scores the task's base model (the baseline), e.g. "builtin:unigram". */
  abstract evaluateBaseline(req: TaskDataRequest, baseModel: string): Promise<EvaluationResult>;
  /**
   * Whether a miner's code carries the task's test examples (contamination.ts): `checkout` writes the
   * repository into the (empty) directory it is given. Null when it does not, or for task types
   * without token data.
   */
  abstract checkContamination(req: TaskDataRequest, checkout: (dir: string) => Promise<void>, threshold: number): Promise<ContaminationReport | null>;
  /** Removes what prepare() wrote for these tasks (their planning never committed). */
  abstract discard(taskIds: string[]): Promise<void>;
  /** Tasks with prepared data on this worker's disk, and when it was written (ms since the epoch). */
  abstract preparedTasks(): Promise<Array<{ taskId: string; writtenAtMs: number }>>;
  /** Per-example losses of a stored evaluation, for the boss round's paired bootstrap. */
  abstract readLosses(lossesPath: string): Promise<Float64Array>;
}
