import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { BASE_MODELS } from '../../src/evaluation/base-models';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import { tableLanguageModel } from '../../src/evaluation/onnx/onnx-builder';
import type { EvaluationResult, TaskDataRequest, TaskType } from '../../src/evaluation/task-data';
import { lookAheadModel, nanOutputModel, wrongVocabAtRuntimeModel } from '../support/onnx-models';
import { slowPerTokenModel } from '../support/text-models';
import { scoreOf, writeArtifact } from '../support/evaluation';

/**
 * The text task types on the generated prompts dataset and the real base model, through the service
 * and its worker processes: what a task hands the miner, the base model as baseline (and as its own
 * DPO reference: ln 2), and a typed outcome for each hostile model per contract.
 */
describe('text task types (prompts-v1, base:byte-lm-v1, real onnxruntime)', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  /** The same service with a 2 s evaluation limit, for the model slow per token (the test waits out the limit). */
  let quickLimit: OnnxTaskDataService;
  const req = (taskType: TaskType): TaskDataRequest => ({ taskId: `task-${taskType}`, taskType, datasetId: 'prompts-v1', seed: `text-seed-${taskType}` });

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-text-'));
    const env = {
      CRUCIBLE_DATA_DIR: dataDir,
      CRUCIBLE_EXECUTION_PROVIDER: 'cpu',
      CRUCIBLE_EVAL_THREADS: '1',
      CRUCIBLE_EVAL_MEMORY_MB: '1024',
      CRUCIBLE_EVAL_TIMEOUT_SECONDS: '20',
    };
    service = new OnnxTaskDataService(loadConfig(env), new DatasetRegistry());
    quickLimit = new OnnxTaskDataService(loadConfig({ ...env, CRUCIBLE_EVAL_TIMEOUT_SECONDS: '2' }), new DatasetRegistry());
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const artifact = (model: Uint8Array): string => writeArtifact(dataDir, model);
  const failureOf = (result: EvaluationResult): { code: string; infra: boolean } => {
    if (result.ok) throw new Error(`expected a failure, got ${result.score.metricValue}`);
    return result;
  };

  it('hands the miner the training examples and the registered base model beside them (/task/base)', async () => {
    const prepared = await service.prepare(req('instruct'));
    expect(fs.readdirSync(prepared.trainDir).sort()).toEqual(['examples.jsonl', 'meta.json']);
    const lines = fs.readFileSync(path.join(prepared.trainDir, 'examples.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2400 - 240);
    const first = JSON.parse(lines[0]) as Record<string, string>;
    expect(first.response).toBe(`${first.answer}\n`);
    const baseDir = path.join(path.dirname(prepared.trainDir), 'base');
    expect(fs.readdirSync(baseDir).sort()).toEqual(['README.md', 'model.onnx', 'model.pt', 'model.py', 'tokenizer.json']);
    expect(prepared.specHints.trainFiles).toMatchObject({ format: 'prompts-jsonl', seqLen: 20, baseModel: { id: 'byte-lm-v1', sha256: BASE_MODELS[0].sha256, path: '/task/base' } });
  });

  it('scores the base model as baseline; as its own DPO reference it scores ln 2', async () => {
    const instruct = scoreOf(await service.evaluateBaseline(req('instruct'), 'base:byte-lm-v1'));
    // Pretrained on English prose only, the base model has never seen "37+45=82": its response loss is
    // finite but above the uniform model's ln 256. Fine-tuning is the miner's job.
    expect(instruct.metricValue).toBeGreaterThan(Math.log(256));
    expect(Number.isFinite(instruct.metricValue)).toBe(true);
    const preference = scoreOf(await service.evaluateBaseline(req('preference'), 'base:byte-lm-v1'));
    expect(preference.metricValue).toBeCloseTo(Math.LN2, 9);
    expect(preference.accuracy).toBe(0);
    const reward = scoreOf(await service.evaluateBaseline(req('reward'), 'base:byte-lm-v1'));
    expect(reward.metricValue).toBeGreaterThanOrEqual(0);
    expect(reward.metricValue).toBeLessThan(0.5);
  });

  it.each(['instruct', 'preference', 'reward'] as const)('%s: wrong output shape and NaN logits are OUTPUT_INVALID', async (taskType) => {
    expect(failureOf(await service.evaluate(req(taskType), artifact(wrongVocabAtRuntimeModel())))).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
    expect(failureOf(await service.evaluate(req(taskType), artifact(nanOutputModel())))).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
  });

  it.each(['instruct', 'preference'] as const)('%s: a model that reads the response it is scored on is NON_CAUSAL', async (taskType) => {
    expect(failureOf(await service.evaluate(req(taskType), artifact(lookAheadModel(1))))).toMatchObject({ code: 'NON_CAUSAL', infra: false });
  });

  it('reward: a generation that never ends within the token limit is cut there and earns nothing', async () => {
    const table = new Float32Array(256 * 256).fill(-10);
    for (let row = 0; row < 256; row += 1) table[row * 256 + 'a'.charCodeAt(0)] = 0;
    const score = scoreOf(await service.evaluate(req('reward'), artifact(tableLanguageModel(table, 256))));
    expect(score).toMatchObject({ metricName: 'reward', metricValue: 0, accuracy: 0 });
  });

  it('reward: a model slow per token is stopped at the evaluation time limit (EVAL_TIMEOUT)', async () => {
    // 20 million loop trips in every run of the model: it took more than the 20 s limit with one.
    expect(failureOf(await quickLimit.evaluate(req('reward'), artifact(slowPerTokenModel(20_000_000))))).toMatchObject({ code: 'EVAL_TIMEOUT', infra: false });
  });
});
