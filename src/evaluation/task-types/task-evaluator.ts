import type * as ort from 'onnxruntime-node';
import type { MetricDirection } from '../../scoring/ranking';
import type { TaskTypeParams } from '../../scoring/rulebook';
import type { TestSplit } from '../datasets/split';
import type { TaskType } from '../task-data';
import type { CausalityCheck, CausalityEvidence, CausalityMethod } from './causality';

/** One tensor of a task type's ONNX contract (DESIGN.md "ONNX model contract per task type"). */
export interface TensorContract {
  name: string;
  /** onnx.TensorProto.DataType value. */
  elemType: number;
  rank: number;
  /** Per axis: a required static size, or null when any size (or a symbolic one) is fine. */
  dims: (number | null)[];
  optional?: boolean;
}

export interface ModelContract {
  inputs: TensorContract[];
  /** Outputs the evaluator reads; other outputs are allowed and ignored. */
  outputs: TensorContract[];
}

export interface EvaluationTotals {
  /** Per-example loss in nats, in the test split's (ascending index) order. */
  losses: Float64Array;
  /** Correct predictions, for task types that report accuracy. */
  correct: number | null;
  /** Tokens or examples scored, for throughput figures. */
  scoredUnits: number;
  /** The causality check's sample and result, for task types that score whole sequences (else null). */
  causality: CausalityEvidence | null;
}

export interface EvaluateOptions {
  /** Target tokens (or feature rows) per session.run call. */
  batchUnits: number;
  /** Seed of the causality check's sample (causalitySeed(task seed, model sha256, method)). */
  causalitySeed: string;
  /** The causality check's method (default CAUSALITY_METHOD; an auditor re-running a sealed evaluation passes the recorded one). */
  causalityMethod?: CausalityMethod;
  /** The task's constants from its rulebook (`taskTypes.<type>`, recorded on the task), e.g. the DPO beta. */
  params: TaskTypeParams;
}

/**
 * A task type: its model contract and how to score a session on a hidden test split.
 * Adding a task type = one file implementing this, registered in task-types/index.ts.
 */
export interface TaskEvaluator {
  readonly taskType: TaskType;
  readonly metricName: string;
  /** Which way the metric is better: 'lower' for losses, 'higher' for rewards (ranking and the boss gate read it). */
  readonly direction: MetricDirection;
  readonly splitKind: TestSplit['kind'];
  contract(split: TestSplit): ModelContract;
  evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals>;
  /**
   * The causality check's sample for a model on this split (sequence-scoring task types): what its
   * evaluation draws, re-derived by an auditor from the revealed split without running the model.
   */
  causalitySample?(split: TestSplit, seed: string, method: CausalityMethod): CausalityCheck[];
  /** Set-up that needs no job (e.g. the evaluator's own helper sessions), run by a worker before it waits for one. */
  warm?(runtime: typeof ort): Promise<void>;
}

/**
 * Cross-entropy of one row of logits against a target, in float64 so the result does not depend on
 * summation tricks: logsumexp(row) - row[target].
 */
export function crossEntropy(logits: Float32Array, offset: number, width: number, target: number): number {
  let max = -Infinity;
  for (let j = 0; j < width; j += 1) if (logits[offset + j] > max) max = logits[offset + j];
  let sum = 0;
  for (let j = 0; j < width; j += 1) sum += Math.exp(logits[offset + j] - max);
  return max + Math.log(sum) - logits[offset + target];
}
