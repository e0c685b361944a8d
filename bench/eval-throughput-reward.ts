/**
 * Generation throughput of the `reward` evaluator: Crucible's evaluator (checks + pre-started worker
 * process + greedy generation without a KV cache + reward functions, end to end) against a bare
 * onnxruntime greedy loop over the same model, prompts and batches, measured in the same run
 * (eval-bench-common.ts). The model is the text tasks' base model (base-models/byte-lm-v1).
 * Run: npm run bench -- eval-throughput-reward
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoBaseModelsDir } from '../src/evaluation/base-models';
import { DatasetRegistry } from '../src/evaluation/datasets/dataset-registry';
import type { PromptDataset, PromptSplit } from '../src/evaluation/datasets/prompts-split';
import { splitDataset } from '../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS } from '../src/evaluation/model-scorer';
import { DEFAULT_RULEBOOK, rewardParams } from '../src/scoring/rulebook';
import { type EvalBench, printEvalBench, runEvalBench, runMain } from './eval-bench-common';

/** The default rulebook's reward constants (what a real task's evaluation uses). */
const PARAMS = DEFAULT_RULEBOOK.taskTypes?.reward;
const { maxNewTokens } = rewardParams(PARAMS);

const ROUNDS = 3;
const VOCAB = 256;
const END = 10;

/** The baseline: a plain greedy loop over the same batches; returns the tokens generated. */
async function bareLoop(session: ort.InferenceSession, prompts: Buffer[]): Promise<number> {
  const longest = Math.max(...prompts.map((p) => p.length)) + maxNewTokens;
  const batch = Math.max(1, Math.floor(DEFAULT_BATCH_UNITS / longest));
  let tokens = 0;
  for (let start = 0; start < prompts.length; start += batch) {
    let rows = prompts.slice(start, start + batch).map((p) => Array.from(p));
    for (let step = 0; step < maxNewTokens && rows.length > 0; step += 1) {
      const seq = Math.max(...rows.map((r) => r.length));
      const ids = new BigInt64Array(rows.length * seq);
      rows.forEach((r, b) => r.forEach((t, j) => (ids[b * seq + j] = BigInt(t))));
      const logits = (await session.run({ input_ids: new ort.Tensor('int64', ids, [rows.length, seq]) })).logits.data as Float32Array;
      rows = rows.filter((r, b) => {
        const offset = (b * seq + r.length - 1) * VOCAB;
        let best = 0;
        for (let j = 1; j < VOCAB; j += 1) if (logits[offset + j] > logits[offset + best]) best = j;
        r.push(best);
        tokens += 1;
        return best !== END;
      });
    }
  }
  return tokens;
}

/** Tokens the last bare pass generated (the bench's throughput unit). */
let generated = 0;

export async function build(): Promise<EvalBench> {
  const dataset = (await new DatasetRegistry().load('prompts-v1', 'bench-seed')) as PromptDataset;
  // A larger hidden split than a real task (half the prompts) so the figure is about inference.
  const split = splitDataset({ ...dataset, testFraction: 0.5 }, 'bench-seed') as PromptSplit;
  const prompts = split.test.map((ex) => Buffer.from(ex.prompt, 'latin1'));
  const model = fs.readFileSync(path.join(repoBaseModelsDir(), 'byte-lm-v1', 'model.onnx'));
  return {
    name: 'reward',
    taskType: 'reward',
    rounds: ROUNDS,
    split,
    model,
    maxModelBytes: 64 * 1024 * 1024,
    params: PARAMS,
    bareLoop: async (s) => {
      generated = await bareLoop(s, prompts);
    },
  };
}

export async function main(): Promise<void> {
  const bench = await build();
  const prompts = (bench.split as PromptSplit).test;
  const result = await runEvalBench(bench);
  const tokens = generated;
  console.log(`model: base-models/byte-lm-v1 (${result.modelBytes} bytes), greedy, max_new_tokens ${maxNewTokens}, no KV cache`);
  console.log(`prompts: ${prompts.length}`);
  console.log(`generated_tokens: ${tokens}`);
  printEvalBench(result, ROUNDS, { name: 'tokens', count: tokens }, 'pre-started worker, checks, session, generation, rewards', 'session.run greedy loop');
}

runMain(module, main, build);
