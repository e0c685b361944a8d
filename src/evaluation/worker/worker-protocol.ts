import type { TaskTypeParams } from '../../scoring/rulebook';
import type { TaskType } from '../task-data';
import type { ModelCheckLimits } from '../model-checks';
import type { CausalityEvidence, CausalityMethod } from '../task-types/causality';
import type { RejectionEvidence } from '../task-data';

/** Messages between the service and the inference worker process (structured-clone IPC). */
export interface InferenceJob {
  modelPath: string;
  /** The directory the model may load external data from (its artifact directory). */
  artifactDir: string;
  taskType: TaskType;
  /** Canonical hidden test split file and its expected sha256 (the published commitment). */
  testSplitPath: string;
  testSetSha256: string;
  provider: 'cpu' | 'cuda';
  intraOpThreads: number;
  batchUnits: number;
  /** Seed and method of the causality check's sample (see task-types/causality.ts). */
  causalitySeed: string;
  causalityMethod: CausalityMethod;
  /** The task's constants (rulebook `taskTypes.<type>`), handed to the evaluator. */
  params: TaskTypeParams;
  limits: ModelCheckLimits;
  /** Skip the static checks (only for the service's own baseline models... never for miners). */
  trusted: boolean;
}

export type WorkerRequest = { type: 'evaluate'; job: InferenceJob };

export type WorkerFailureStage = 'checks' | 'load' | 'inference' | 'setup';

export type WorkerResponse =
  | { type: 'started'; pid: number }
  | { type: 'result'; losses: Float64Array; correct: number | null; scoredUnits: number; causality: CausalityEvidence | null; provider: string; inferenceMs: number }
  | { type: 'failure'; code: string; reason: string; stage: WorkerFailureStage; evidence?: RejectionEvidence };
