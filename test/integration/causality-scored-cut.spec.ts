import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { canonicalTestSplit, parseCanonicalTestSplit, splitDataset, type TestSplit } from '../../src/evaluation/datasets/split';
import { ModelScorer } from '../../src/evaluation/model-scorer';
import type { EvaluationResult } from '../../src/evaluation/task-data';
import { type CausalityMethod, causalitySeed } from '../../src/evaluation/task-types/causality';
import { instructEvaluator } from '../../src/evaluation/task-types/instruct.evaluator';
import { promptEndPeekModel } from '../support/hostile-text-models';

/**
 * crucible-causal/3 draws each cut over the positions whose target is scored (red-team hole of
 * TEXT-TASKS.md "Limits"): a model that reads the next token at exactly one scored position per row
 * (the prompt's "=", predicting the response's first token) against instruct on prompts-v2, the real
 * base model, scored by the real worker process and onnxruntime.
 */
describe('causality check: cut over the scored positions (instruct, prompts-v2, base:byte-lm-v1)', () => {
  const taskSeed = 'causal3-scored-cut';
  const model = promptEndPeekModel();
  const modelSha256 = createHash('sha256').update(model).digest('hex');
  const scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 60_000, memoryMb: 1024, maxModelBytes: 64 * 1024 * 1024, intraOpThreads: 1, batchUnits: 16384 });
  let dir: string;
  let split: TestSplit;
  let testSplitPath: string;
  let testSetSha256: string;
  let modelPath: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-causal3-'));
    const canonical = canonicalTestSplit(splitDataset(await new DatasetRegistry().load('prompts-v2', taskSeed), taskSeed));
    split = parseCanonicalTestSplit(canonical);
    testSplitPath = path.join(dir, 'split.bin');
    fs.writeFileSync(testSplitPath, canonical);
    testSetSha256 = createHash('sha256').update(canonical).digest('hex');
    modelPath = path.join(fs.mkdtempSync(path.join(dir, 'model-')), 'model.onnx');
    fs.writeFileSync(modelPath, model);
  });
  afterAll(() => {
    scorer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Each "task seed" s draws its own sample (the split stays the same).
  const evaluate = (s: number, method: CausalityMethod): Promise<EvaluationResult> =>
    scorer.score({ taskType: 'instruct', modelPath, testSplitPath, testSetSha256, seed: `${taskSeed}-${s}`, causalityMethod: method, lossesDir: path.join(dir, 'losses') });

  it('is caught under /3 on each of 20 seeds; /2 lets it through on a seed whose cuts all miss the "=" (worked from the prompts)', async () => {
    if (split.kind !== 'prompts') throw new Error('expected a prompts split');
    const examples = split.examples;
    // Row i's scored targets are its response, answer + "\n": N_i = answer.length + 1 positions, the
    // first of which (the prompt's last token, "=", at prompt.length - 1) is the one the model peeks at.
    for (const ex of examples) expect(ex.prompt.endsWith('=') && ex.prompt.indexOf('=') === ex.prompt.length - 1).toBe(true);
    const nMax = Math.max(...examples.map((ex) => ex.answer.length + 1));
    // Under /3 each of the 64 checks cuts at its row's "=" with probability 1/N_i >= 1/nMax, and then
    // replaces the token read there by the donor's (redrawn until it differs): escaping one evaluation
    // takes every check missing, at most (1 - 1/nMax)^64 (on this split nMax = 6: (5/6)^64 =
    // e^(64 ln(5/6)) = e^-11.67 = 8.6e-6; that any of 20 seeds escapes: below 20 x 8.6e-6 = 1.7e-4).
    const escape = (1 - 1 / nMax) ** 64;
    expect(escape).toBeLessThan(0.01);
    for (let s = 0; s < 20; s += 1) {
      const result = await evaluate(s, 'crucible-causal/3');
      if (result.ok) throw new Error(`seed ${s}: the peek was scored ${result.score.metricValue}`);
      expect(result).toMatchObject({ code: 'NON_CAUSAL', infra: false });
      // The offending position is a row's "=" (its first scored position), and the check cut there.
      const v = result.evidence as { example: number };
      expect(v).toMatchObject({ method: 'crucible-causal/3', position: examples[v.example].prompt.length - 1, cut: examples[v.example].prompt.length - 1 });
    }

    // /2 cuts uniformly over all seqLen - 1 positions, so a check hits the "=" with probability about
    // 1 / (seqLen - 1). Find a seed where, by the drawn plan, no check cuts at its row's "=" (where
    // the model's output cannot change), and run the model there: it is scored, with no violation.
    let passed: number | null = null;
    for (let s = 0; s < 400 && passed === null; s += 1) {
      const checks = instructEvaluator.causalitySample?.(split, causalitySeed(`${taskSeed}-${s}`, modelSha256, 'crucible-causal/2'), 'crucible-causal/2') ?? [];
      expect(checks).toHaveLength(64);
      if (checks.every((c) => c.cut !== examples[c.example].prompt.length - 1)) passed = s;
    }
    expect(passed).not.toBeNull();
    const result = await evaluate(passed as number, 'crucible-causal/2');
    if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
    expect(result.score.causality).toMatchObject({ method: 'crucible-causal/2', maxDeviation: 0 });
  });
});
