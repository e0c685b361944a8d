import type * as ort from 'onnxruntime-node';
import { preferenceParams } from '../../scoring/rulebook';
import { END_OF_RESPONSE } from '../datasets/prompts-generator';
import type { TestSplit } from '../datasets/split';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';
import { type CausalityCheck, type CausalityMethod, planCausalityChecks } from './causality';
import { type PackedSequences, packSequences, responseLogProbs, textContract } from './text-sequences';

/**
 * preference (DPO-style): the text contract (text-sequences.ts). Each test example is a prompt with
 * a chosen response (the answer and "\n") and a rejected one (the wrong answer and "\n"). With
 * log p the summed log-probability of a response's tokens given the prompt, under the model (pi) and
 * under the task's base model as reference (ref, carried in the test split):
 *   margin = beta * ((log pi(chosen) - log ref(chosen)) - (log pi(rejected) - log ref(rejected)))
 *   loss   = -log sigmoid(margin)
 * per example, in float64, with beta from the task's params (rulebook `taskTypes.preference`); the metric is the mean. Lower is better; a model equal to its reference
 * scores ln 2. Preference accuracy (margin > 0) is reported beside it. The causality check runs on
 * the model's packed chosen and rejected sequences.
 */
export const preferenceEvaluator: TaskEvaluator = {
  taskType: 'preference',
  metricName: 'dpo_loss_nats',
  direction: 'lower',
  splitKind: 'prompts',

  contract(): ModelContract {
    return textContract();
  },

  causalitySample(split: TestSplit, seed: string, method: CausalityMethod): CausalityCheck[] {
    const packed = preferenceSequences(split);
    return planCausalityChecks(packed.tokens, packed.count, packed.seqLen, seed, method, packed);
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    if (split.kind !== 'prompts') throw new Error('preference needs a prompts split');
    const { beta } = preferenceParams(options.params);
    const { count } = split;
    const packed = preferenceSequences(split);
    const policy = await responseLogProbs(runtime, session, packed, options.batchUnits, options.causalitySeed, options.causalityMethod);
    const referenceSession = await runtime.InferenceSession.create(split.reference, { executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    let reference: Float64Array;
    try {
      reference = (await responseLogProbs(runtime, referenceSession, packed, options.batchUnits, null)).sums;
    } finally {
      await referenceSession.release();
    }
    const losses = new Float64Array(count);
    let correct = 0;
    for (let i = 0; i < count; i += 1) {
      const chosen = policy.sums[i] - reference[i];
      const rejected = policy.sums[count + i] - reference[count + i];
      const margin = beta * (chosen - rejected);
      losses[i] = softplus(-margin);
      if (margin > 0) correct += 1;
    }
    return { losses, correct, scoredUnits: 2 * count, causality: policy.causality };
  },
};

/** Every example's prompt + chosen response, then every example's prompt + rejected response, packed. */
function preferenceSequences(split: TestSplit): PackedSequences {
  if (split.kind !== 'prompts') throw new Error('preference needs a prompts split');
  return packSequences(
    [
      ...split.examples.map((ex) => ({ prompt: ex.prompt, response: ex.answer + END_OF_RESPONSE })),
      ...split.examples.map((ex) => ({ prompt: ex.prompt, response: ex.rejected + END_OF_RESPONSE })),
    ],
    split.seqLen,
  );
}

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
