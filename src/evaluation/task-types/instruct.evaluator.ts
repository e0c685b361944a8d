import type * as ort from 'onnxruntime-node';
import { END_OF_RESPONSE } from '../datasets/prompts-generator';
import type { TestSplit } from '../datasets/split';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';
import { type CausalityCheck, type CausalityMethod, planCausalityChecks } from './causality';
import { type PackedSequences, packSequences, responseLogProbs, textContract } from './text-sequences';

/**
 * instruct: the text contract (text-sequences.ts). Each test example is its prompt followed by its
 * response (the answer and "\n"), right-padded with byte 0; its loss is the mean next-token
 * cross-entropy (nats) over the response tokens only: prompt tokens and padding are not scored.
 * The metric is the mean over examples. Lower is better. The causality check runs on the packed
 * sequences, so a model cannot score well by reading the response it is asked to predict.
 */
export const instructEvaluator: TaskEvaluator = {
  taskType: 'instruct',
  metricName: 'response_cross_entropy_nats',
  direction: 'lower',
  splitKind: 'prompts',

  contract(): ModelContract {
    return textContract();
  },

  causalitySample(split: TestSplit, seed: string, method: CausalityMethod): CausalityCheck[] {
    const packed = instructSequences(split);
    return planCausalityChecks(packed.tokens, packed.count, packed.seqLen, seed, method, packed);
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    const packed = instructSequences(split);
    const { sums, causality } = await responseLogProbs(runtime, session, packed, options.batchUnits, options.causalitySeed, options.causalityMethod);
    const losses = new Float64Array(split.count);
    let scored = 0;
    for (let i = 0; i < split.count; i += 1) {
      const n = packed.ends[i] - packed.starts[i];
      losses[i] = -sums[i] / n;
      scored += n;
    }
    return { losses, correct: null, scoredUnits: scored, causality };
  },
};

/** Each test example as prompt + response ("answer\n"), packed: what the model is scored (and checked) on. */
function instructSequences(split: TestSplit): PackedSequences {
  if (split.kind !== 'prompts') throw new Error('instruct needs a prompts split');
  return packSequences(
    split.examples.map((ex) => ({ prompt: ex.prompt, response: ex.answer + END_OF_RESPONSE })),
    split.seqLen,
  );
}
