import type * as ort from 'onnxruntime-node';
import { rewardParams } from '../../scoring/rulebook';
import { PAD_TOKEN } from '../datasets/prompts-split';
import type { TestSplit } from '../datasets/split';
import { OutputContractError } from '../evaluation.errors';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';
import { END_TOKEN, runLogits, TEXT_VOCAB, textContract } from './text-sequences';
import { setTokens, tokenIds } from './token-ids';

/** The format reward's answer line: 1 to 16 characters, digits and lower-case letters. */
const ANSWER_FORMAT = /^[0-9a-z]{1,16}$/;

/**
 * reward (GRPO-style, generation): the text contract (text-sequences.ts). For each test prompt the
 * evaluator generates greedily (argmax, the lowest token id on a tie) without a KV cache: each step
 * runs the model on prompt + tokens so far and appends the argmax at the last position, until the
 * model emits "\n" or has emitted maxNewTokens tokens. The completion's line is the text before
 * "\n"; a completion without "\n" within the budget has no line. Reward functions, deterministic:
 *   exact:  1 when the line equals the answer, else 0
 *   format: 1 when there is a line and it is 1..16 characters of [0-9a-z], else 0
 * Per example: the weighted sum; maxNewTokens and the weights (they sum to 1) are the task's params
 * (rulebook `taskTypes.reward`). The metric is the mean. Higher is better.
 * Generation only ever shows the model the tokens before the one it emits, so no causality check is
 * needed. A NaN in a row the evaluator reads breaks the contract.
 */
export const rewardEvaluator: TaskEvaluator = {
  taskType: 'reward',
  metricName: 'reward',
  direction: 'higher',
  splitKind: 'prompts',

  contract(): ModelContract {
    return textContract();
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    if (split.kind !== 'prompts') throw new Error('reward needs a prompts split');
    const { maxNewTokens, weights } = rewardParams(options.params);
    const prompts = split.examples.map((ex) => Buffer.from(ex.prompt, 'latin1'));
    const longest = prompts.reduce((m, p) => Math.max(m, p.length), 0) + maxNewTokens;
    const batchSize = Math.max(1, Math.floor(options.batchUnits / longest));
    const losses = new Float64Array(split.count);
    let correct = 0;
    let generatedTokens = 0;
    for (let start = 0; start < split.count; start += batchSize) {
      const rows = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, b) => start + b);
      const completions = await generate(runtime, session, rows.map((i) => prompts[i]), maxNewTokens);
      rows.forEach((i, b) => {
        const completion = completions[b];
        generatedTokens += completion.length;
        const end = completion.indexOf(END_TOKEN);
        const line = end < 0 ? null : Buffer.from(completion.slice(0, end)).toString('latin1');
        const exact = line === split.examples[i].answer ? 1 : 0;
        const format = line !== null && ANSWER_FORMAT.test(line) ? 1 : 0;
        losses[i] = weights.exact * exact + weights.format * format;
        correct += exact;
      });
    }
    return { losses, correct, scoredUnits: generatedTokens, causality: null };
  },
};

/** Greedy generation for a batch of prompts; each completion ends with END_TOKEN or at maxNewTokens. */
export async function generate(runtime: typeof ort, session: ort.InferenceSession, prompts: Uint8Array[], maxNewTokens: number): Promise<number[][]> {
  const completions: number[][] = prompts.map(() => []);
  let active = prompts.map((_, b) => b);
  for (let step = 0; step < maxNewTokens && active.length > 0; step += 1) {
    const lengths = active.map((b) => prompts[b].length + completions[b].length);
    const seq = Math.max(...lengths);
    const { ids, words } = tokenIds(active.length * seq, PAD_TOKEN);
    active.forEach((b, k) => {
      setTokens(words, k * seq, prompts[b]);
      setTokens(words, k * seq + prompts[b].length, completions[b]);
    });
    const logits = await runLogits(runtime, session, ids, active.length, seq);
    active = active.filter((b, k) => {
      const next = argmax(logits, (k * seq + lengths[k] - 1) * TEXT_VOCAB);
      completions[b].push(next);
      return next !== END_TOKEN;
    });
  }
  return completions;
}

function argmax(logits: Float32Array, offset: number): number {
  let best = 0;
  for (let j = 0; j < TEXT_VOCAB; j += 1) {
    const v = logits[offset + j];
    if (Number.isNaN(v)) throw new OutputContractError('logits hold NaN where the next token is chosen');
    if (v > logits[offset + best]) best = j;
  }
  return best;
}
