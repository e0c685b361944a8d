/**
 * Generation throughput of the `reward` evaluator: Crucible's evaluator (checks + pre-started worker
 * process + greedy generation without a KV cache + reward functions, end to end) against a bare
 * onnxruntime greedy loop over the same model, prompts and batches, measured in the same run.
 * The model is the text tasks' base model (base-models/byte-lm-v1).
 * Run: npm run bench -- eval-throughput-reward
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { repoBaseModelsDir } from '../src/evaluation/base-models';
import { DatasetRegistry } from '../src/evaluation/datasets/dataset-registry';
import type { PromptDataset, PromptSplit } from '../src/evaluation/datasets/prompts-split';
import { canonicalTestSplit, sha256Hex, splitDataset } from '../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS, ModelScorer } from '../src/evaluation/model-scorer';
import { DEFAULT_RULEBOOK, rewardParams } from '../src/scoring/rulebook';

/** The default rulebook's reward constants (what a real task's evaluation uses). */
const REWARD_DEFAULTS = rewardParams(DEFAULT_RULEBOOK.taskTypes?.reward);

const ROUNDS = 3;
const VOCAB = 256;
const END = 10;

/** The baseline: one session and a plain greedy loop over the same batches; session creation timed apart. */
async function bareLoop(modelPath: string, prompts: Buffer[], threads: number): Promise<{ runMs: number; sessionMs: number; tokens: number }> {
  const created = performance.now();
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const sessionMs = performance.now() - created;
  const longest = Math.max(...prompts.map((p) => p.length)) + REWARD_DEFAULTS.maxNewTokens;
  const batch = Math.max(1, Math.floor(DEFAULT_BATCH_UNITS / longest));
  let tokens = 0;
  const started = performance.now();
  for (let start = 0; start < prompts.length; start += batch) {
    let rows = prompts.slice(start, start + batch).map((p) => Array.from(p));
    for (let step = 0; step < REWARD_DEFAULTS.maxNewTokens && rows.length > 0; step += 1) {
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
  const runMs = performance.now() - started;
  await session.release();
  return { runMs, sessionMs, tokens };
}

export async function main(): Promise<void> {
  const threads = os.availableParallelism();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-reward-'));
  try {
    const dataset = (await new DatasetRegistry().load('prompts-v1', 'bench-seed')) as PromptDataset;
    // A larger hidden split than a real task (half the prompts) so the figure is about inference.
    const split = splitDataset({ ...dataset, testFraction: 0.5 }, 'bench-seed') as PromptSplit;
    const canonical = canonicalTestSplit(split);
    const testSplitPath = path.join(work, 'test-split.bin');
    fs.writeFileSync(testSplitPath, canonical);
    const artifactDir = path.join(work, 'artifact');
    fs.mkdirSync(artifactDir);
    const modelPath = path.join(artifactDir, 'model.onnx');
    fs.copyFileSync(path.join(repoBaseModelsDir(), 'byte-lm-v1', 'model.onnx'), modelPath);
    const prompts = split.test.map((ex) => Buffer.from(ex.prompt, 'latin1'));

    const scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 600_000, memoryMb: 4096, maxModelBytes: 64 * 1024 * 1024, intraOpThreads: threads, batchUnits: DEFAULT_BATCH_UNITS });
    const crucibleMs: number[] = [];
    const bareMs: number[] = [];
    const bareWithSessionMs: number[] = [];
    let metric = Number.NaN;
    let tokens = 0;
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        await scorer.warm();
        const t0 = performance.now();
        const result = await scorer.score({ taskType: 'reward', modelPath, testSplitPath, testSetSha256: sha256Hex(canonical), seed: 'bench-seed', lossesDir: work });
        crucibleMs.push(performance.now() - t0);
        if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
        metric = result.score.metricValue;
        await scorer.warm();
        const bare = await bareLoop(modelPath, prompts, threads);
        bareMs.push(bare.runMs);
        bareWithSessionMs.push(bare.sessionMs + bare.runMs);
        tokens = bare.tokens;
      }
    } finally {
      scorer.close();
    }
    const best = (xs: number[]): number => Math.min(...xs);
    console.log(`model: base-models/byte-lm-v1 (${fs.statSync(modelPath).size} bytes), greedy, max_new_tokens ${REWARD_DEFAULTS.maxNewTokens}, no KV cache`);
    console.log(`provider: cpu, intra_op_threads: ${threads}`);
    console.log(`load_average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`prompts: ${prompts.length}`);
    console.log(`generated_tokens: ${tokens}`);
    console.log(`rounds: ${ROUNDS} (best of each)`);
    console.log(`crucible_ms: ${best(crucibleMs).toFixed(1)} (end to end: pre-started worker, checks, session, generation, rewards)`);
    console.log(`bare_loop_ms: ${best(bareMs).toFixed(1)} (session.run greedy loop only)`);
    console.log(`bare_loop_with_session_ms: ${best(bareWithSessionMs).toFixed(1)} (session creation + greedy loop)`);
    console.log(`crucible_tokens_per_s: ${(tokens / (best(crucibleMs) / 1000)).toFixed(0)}`);
    console.log(`bare_tokens_per_s: ${(tokens / (best(bareMs) / 1000)).toFixed(0)}`);
    console.log(`reward: ${metric}`);
    console.log('direction: crucible tokens/s divided by bare onnxruntime tokens/s; higher is better, target >= 0.9');
    console.log(`ratio: ${(best(bareMs) / best(crucibleMs)).toFixed(3)}`);
    console.log(`ratio_with_bare_session_creation: ${(best(bareWithSessionMs) / best(crucibleMs)).toFixed(3)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
