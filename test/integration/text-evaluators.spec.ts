import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PromptExample } from '../../src/evaluation/datasets/prompts-generator';
import { canonicalPromptSplit } from '../../src/evaluation/datasets/prompts-split';
import { decodeLosses, ModelScorer } from '../../src/evaluation/model-scorer';
import { tableLanguageModel } from '../../src/evaluation/onnx/onnx-builder';
import type { TaskType } from '../../src/evaluation/task-data';
import { bigramFromProbabilities } from '../support/text-models';
import { PREFERENCE_DEFAULTS } from '../../src/evaluation/task-types/preference.evaluator';
import { REWARD_DEFAULTS } from '../../src/evaluation/task-types/reward.evaluator';

/**
 * The text evaluators on hand-built bigram models and hand-built test splits, scored by the real
 * worker process and onnxruntime. Expected values are worked out by hand from the tables in the
 * comments.
 */
let dir: string;
const scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 60_000, memoryMb: 1024, maxModelBytes: 4 * 1024 * 1024, intraOpThreads: 1, batchUnits: 64 });
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-text-eval-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let files = 0;
async function run(taskType: TaskType, model: Uint8Array, examples: PromptExample[], reference: Uint8Array, seqLen = 8) {
  files += 1;
  const canonical = canonicalPromptSplit({
    kind: 'prompts',
    seqLen,
    testIndices: examples.map((_, i) => i),
    test: examples,
    train: [],
    baseModel: { id: 'hand-built', sha256: createHash('sha256').update(reference).digest('hex'), dir, onnx: reference },
  });
  const testSplitPath = path.join(dir, `split-${files}.bin`);
  fs.writeFileSync(testSplitPath, canonical);
  const modelPath = path.join(fs.mkdtempSync(path.join(dir, 'model-')), 'model.onnx');
  fs.writeFileSync(modelPath, model);
  const result = await scorer.score({ taskType, modelPath, testSplitPath, testSetSha256: createHash('sha256').update(canonical).digest('hex'), seed: 'text-seed', lossesDir: path.join(dir, 'losses') });
  if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
  return { ...result.score, losses: Array.from(decodeLosses(fs.readFileSync(result.score.lossesPath))) };
}

const uniform = tableLanguageModel(new Float32Array(256 * 256), 256);
// After "=": "c" with p 1/2 (the other 255 bytes share 1/2). After "c": "\n" with p 1/4 (the other
// 255 share 3/4, so "c" has 3/1020). Every other row is uniform (1/256 each).
const bigram = bigramFromProbabilities({ '=': { c: 1 / 2 }, c: { '\n': 1 / 4 } });

describe('instruct evaluator', () => {
  it('scores the response tokens only: prompt tokens and padding do not count', async () => {
    const examples = [{ prompt: 'ab=', answer: 'c', rejected: 'd' }, { prompt: 'b=', answer: 'cc', rejected: 'd' }];
    const totals = await run('instruct', bigram, examples, uniform);
    // "ab=" + "c\n": -ln p(c | =) - ln p(\n | c) = ln 2 + ln 4 over 2 tokens.
    expect(totals.losses[0]).toBeCloseTo((Math.log(2) + Math.log(4)) / 2, 6);
    // "b=" + "cc\n": ln 2 + ln(1020/3) + ln 4 over 3 tokens.
    expect(totals.losses[1]).toBeCloseTo((Math.log(2) + Math.log(1020 / 3) + Math.log(4)) / 3, 6);
    expect(totals.causality?.checks.length).toBe(2);
    expect(totals.metricName).toBe('response_cross_entropy_nats');
  });

  it('scores a uniform model at ln 256 whatever the prompt', async () => {
    const totals = await run('instruct', uniform, [{ prompt: 'xyz=', answer: '12', rejected: '13' }], uniform);
    expect(totals.losses[0]).toBeCloseTo(Math.log(256), 6);
  });
});

describe('preference evaluator', () => {
  const examples = [
    { prompt: 'ab=', answer: 'c', rejected: 'd' },
    { prompt: 'q=', answer: 'c', rejected: 'e' },
  ];

  it('scores a model equal to its reference at exactly ln 2, with no preference', async () => {
    const totals = await run('preference', bigram, examples, bigram);
    expect(totals.losses).toEqual([Math.LN2, Math.LN2]);
    expect(totals.accuracy).toBe(0);
  });

  it('scores the DPO loss against a uniform reference from the hand-worked log-probabilities', async () => {
    const totals = await run('preference', bigram, examples, uniform);
    // Chosen "c\n": ln(1/2) + ln(1/4); rejected "d\n": ln(1/510) + ln(1/256). The uniform reference
    // gives both responses ln(1/256) twice, so it cancels: margin = beta * ln(510 * 256 / 8).
    const margin = PREFERENCE_DEFAULTS.beta * Math.log((510 * 256) / 8);
    expect(totals.losses[0]).toBeCloseTo(Math.log(1 + Math.exp(-margin)), 6);
    expect(totals.losses[1]).toBeCloseTo(Math.log(1 + Math.exp(-margin)), 6);
    expect(totals.accuracy).toBe(1);
  });
});

describe('reward evaluator', () => {
  const sevens = [
    { prompt: '3+4=', answer: '7', rejected: '8' },
    { prompt: '5+2=', answer: '7', rejected: '6' },
    { prompt: '1+6=', answer: '7', rejected: '9' },
  ];

  it('gives the full reward to a model that always emits the right answer', async () => {
    // Argmax after "=" is "7", after "7" is "\n": every completion is "7\n".
    const totals = await run('reward', bigramFromProbabilities({ '=': { '7': 0.9 }, '7': { '\n': 0.9 } }), sevens, uniform);
    expect(totals.losses).toEqual([1, 1, 1]);
    expect(totals.metricValue).toBe(1);
    expect(totals.accuracy).toBe(1);
  });

  it('gives only the format reward to a well-formed wrong answer', async () => {
    const totals = await run('reward', bigramFromProbabilities({ '=': { '8': 0.9 }, '8': { '\n': 0.9 } }), sevens, uniform);
    expect(totals.losses).toEqual([REWARD_DEFAULTS.weights.format, REWARD_DEFAULTS.weights.format, REWARD_DEFAULTS.weights.format]);
    expect(totals.accuracy).toBe(0);
  });

  it('gives nothing to a generation that never ends within the token limit (it is cut there and scored)', async () => {
    // Argmax is "7" after "=" and after "7": "7777..." and never "\n".
    const totals = await run('reward', bigramFromProbabilities({ '=': { '7': 0.9 }, '7': { '7': 0.9 } }), sevens, uniform);
    expect(totals.losses).toEqual([0, 0, 0]);
  });
});
