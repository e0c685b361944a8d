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
import type { TaskTypeParams } from '../../src/scoring/rulebook';

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
/** `params`: the task's constants as its rulebook records them (absent: a task from before rulebooks carried them). */
async function run(taskType: TaskType, model: Uint8Array, examples: PromptExample[], reference: Uint8Array, params?: TaskTypeParams, seqLen = 8) {
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
  const result = await scorer.score({ taskType, modelPath, testSplitPath, testSetSha256: createHash('sha256').update(canonical).digest('hex'), seed: 'text-seed', params, lossesDir: path.join(dir, 'losses') });
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
    // Two packed sequences: min(64, floor(2 / 2)) = 1 spliced check, the other sequence its donor.
    expect(totals.causality?.checks.length).toBe(1);
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

  // Chosen "c\n": ln(1/2) + ln(1/4); rejected "d\n": ln(1/510) + ln(1/256). The uniform reference
  // gives both responses ln(1/256) twice, so it cancels: margin = beta * ln(510 * 256 / 8) = beta * ln 16320.
  it('scores the DPO loss with the rulebook\'s beta: 0.5 from the hand-worked log-probabilities', async () => {
    const totals = await run('preference', bigram, examples, uniform, { beta: 0.5 });
    // margin = 0.5 * ln 16320 = ln sqrt(16320) = ln 127.7498; loss = ln(1 + 1 / 127.7498) = ln 1.0078278 = 0.0077973.
    expect(totals.losses[0]).toBeCloseTo(0.0077973, 6);
    expect(totals.losses[1]).toBeCloseTo(Math.log(1 + 1 / Math.sqrt(16320)), 9);
    expect(totals.accuracy).toBe(1);
  });

  it('a task recorded without params (rulebook 2026.12-3 and older) keeps beta 0.1', async () => {
    const totals = await run('preference', bigram, examples, uniform);
    // margin = 0.1 * ln 16320 = 0.970015; loss = ln(1 + e^-0.970015) = ln(1 + 0.379077) = 0.321415.
    expect(totals.losses[0]).toBeCloseTo(0.321415, 6);
    expect((await run('preference', bigram, examples, uniform, { beta: 0.1 })).losses).toEqual(totals.losses);
  });

  it('refuses to score with params the rulebook would refuse (an infra failure, never the miner\'s)', async () => {
    const result = await scorer.score({ taskType: 'preference', modelPath: '/nonexistent/model.onnx', testSplitPath: '/nonexistent', testSetSha256: '0'.repeat(64), seed: 's', params: { beta: -1 }, lossesDir: dir });
    expect(result).toEqual({ ok: false, infra: true, code: 'EVALUATOR_FAILED', reason: 'invalid task params: taskTypes.preference.beta must be a number > 0 (the DPO temperature)' });
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

  it('gives only the format reward to a well-formed wrong answer, weighted as the rulebook says', async () => {
    const eights = bigramFromProbabilities({ '=': { '8': 0.9 }, '8': { '\n': 0.9 } });
    // Without params (a task from before rulebooks carried them): exact 0.8, format 0.2.
    const totals = await run('reward', eights, sevens, uniform);
    expect(totals.losses).toEqual([0.2, 0.2, 0.2]);
    expect(totals.accuracy).toBe(0);
    expect((await run('reward', eights, sevens, uniform, { weights: { exact: 0.5, format: 0.5 } })).losses).toEqual([0.5, 0.5, 0.5]);
  });

  it('stops generating at the rulebook\'s maxNewTokens', async () => {
    // "7\n" needs 2 tokens: with maxNewTokens 1 the completion is "7", which never ends, so it earns 0.
    const sevensModel = bigramFromProbabilities({ '=': { '7': 0.9 }, '7': { '\n': 0.9 } });
    expect((await run('reward', sevensModel, sevens, uniform, { maxNewTokens: 1 })).losses).toEqual([0, 0, 0]);
    expect((await run('reward', sevensModel, sevens, uniform, { maxNewTokens: 2 })).losses).toEqual([1, 1, 1]);
  });

  it('gives nothing to a generation that never ends within the token limit (it is cut there and scored)', async () => {
    // Argmax is "7" after "=" and after "7": "7777..." and never "\n".
    const totals = await run('reward', bigramFromProbabilities({ '=': { '7': 0.9 }, '7': { '7': 0.9 } }), sevens, uniform);
    expect(totals.losses).toEqual([0, 0, 0]);
  });
});
