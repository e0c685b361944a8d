import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import type { ClassificationDataset, TokenDataset } from '../../src/evaluation/datasets/dataset';
import { splitDataset, verifyReveal, type ClassificationSplit, type TokenSplit } from '../../src/evaluation/datasets/split';
import { linearClassifier } from '../../src/evaluation/onnx/onnx-builder';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { TaskDataRequest } from '../../src/evaluation/task-data';
import { bigramLoss, bigramModel, bigramTable, uniformModel } from '../support/onnx-models';
import { scoreOf } from '../support/evaluation';

/** Real onnxruntime in a real worker process: analytic losses, determinism and commitments. */
describe('OnnxTaskDataService (causal-lm and classification, real onnxruntime)', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  const datasets = new DatasetRegistry();
  const lm: TaskDataRequest = { taskId: 'task-lm', taskType: 'causal-lm', datasetId: 'devils-dictionary', seed: 'seed-lm-1' };
  const cls: TaskDataRequest = { taskId: 'task-cls', taskType: 'classification', datasetId: 'blobs-8x4', seed: 'seed-cls-1' };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-eval-'));
    const config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1', CRUCIBLE_EVAL_MEMORY_MB: '2048' });
    service = new OnnxTaskDataService(config, datasets);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const writeModel = (name: string, bytes: Uint8Array): string => {
    const dir = fs.mkdtempSync(path.join(dataDir, 'artifact-'));
    fs.writeFileSync(path.join(dir, name), bytes);
    return path.join(dir, name);
  };

  it('writes only the training split where the sandbox can see it, and the commitments re-derive from a reveal', async () => {
    const prepared = await service.prepare(lm);
    const dataset = (await datasets.load(lm.datasetId)) as TokenDataset;
    const split = splitDataset(dataset, lm.seed) as TokenSplit;

    expect(fs.readdirSync(prepared.trainDir).sort()).toEqual(['meta.json', 'tokens.bin']);
    expect(JSON.parse(fs.readFileSync(path.join(prepared.trainDir, 'meta.json'), 'utf8'))).toEqual({ vocabSize: 256, seqLen: 128, format: 'bytes-u8', order: 'shuffled-windows' });
    const trainTokens = fs.readFileSync(path.join(prepared.trainDir, 'tokens.bin'));
    // Whole training windows only: the corpus tail that does not fill a window is not handed out.
    expect(trainTokens.length).toBe((Math.floor(dataset.tokens.length / 128) - split.test.length) * 128);
    // No test sequence appears in the training file.
    for (const seq of split.test.slice(0, 20)) expect(trainTokens.indexOf(Buffer.from(seq))).toBe(-1);

    expect(verifyReveal(dataset, lm.seed, prepared)).toMatchObject({ ok: true, seedMatches: true, testSetMatches: true });
    expect(verifyReveal(dataset, 'another-seed', prepared)).toMatchObject({ ok: false, seedMatches: false, testSetMatches: false });
    // A second prepare with the same seed publishes the same commitments.
    expect(await service.prepare(lm)).toMatchObject({ seedCommitment: prepared.seedCommitment, testSetCommitment: prepared.testSetCommitment });
  });

  it('scores a uniform model at ln(256) and a bigram table at its analytic loss, bit-identically twice', async () => {
    const uniform = scoreOf(await service.evaluate(lm, writeModel('model.onnx', uniformModel())));
    expect(Math.abs(uniform.metricValue - Math.log(256))).toBeLessThan(1e-6);
    expect(uniform.executionProvider).toBe('cpu');

    const dataset = (await datasets.load(lm.datasetId)) as TokenDataset;
    const split = splitDataset(dataset, lm.seed) as TokenSplit;
    const table = bigramTable(split.train);
    const expected = bigramLoss(table, split.test);

    const modelPath = writeModel('model.onnx', bigramModel(table));
    const first = scoreOf(await service.evaluate(lm, modelPath));
    const second = scoreOf(await service.evaluate(lm, modelPath));
    expect(Math.abs(first.metricValue - expected)).toBeLessThan(1e-6);
    expect(first.metricValue).toBeLessThan(uniform.metricValue);
    expect(Object.is(first.metricValue, second.metricValue)).toBe(true);
    expect(second.lossesSha256).toBe(first.lossesSha256);
    expect(first.exampleCount).toBe(split.test.length);

    const losses = await service.readLosses(first.lossesPath);
    expect(losses.length).toBe(split.test.length);
    expect(fs.statSync(first.lossesPath).size).toBe(split.test.length * 8);
  });

  it('scores the builtin baselines: uniform = ln(256), unigram below it', async () => {
    const uniform = scoreOf(await service.evaluateBaseline(lm, 'builtin:uniform'));
    expect(Math.abs(uniform.metricValue - Math.log(256))).toBeLessThan(1e-6);
    const unigram = scoreOf(await service.evaluateBaseline(lm, 'builtin:unigram'));
    expect(unigram.metricValue).toBeLessThan(uniform.metricValue);
    expect(unigram.metricValue).toBeGreaterThan(2);
    expect(await service.evaluateBaseline(lm, 'gpt-7')).toMatchObject({ ok: false, code: 'UNKNOWN_BASE_MODEL' });
    // A registered-looking name that is not registered: the same coded result, not a thrown plain Error.
    expect(await service.evaluateBaseline(lm, 'base:no-such-model')).toMatchObject({ ok: false, code: 'UNKNOWN_BASE_MODEL' });
  });

  it('classification: cross-entropy and accuracy of a linear model match the analytic values', async () => {
    const prepared = await service.prepare(cls);
    expect(fs.readdirSync(prepared.trainDir).sort()).toEqual(['features.f32', 'labels.u8', 'meta.json']);
    const dataset = (await datasets.load(cls.datasetId)) as ClassificationDataset;
    const split = splitDataset(dataset, cls.seed) as ClassificationSplit;
    expect(verifyReveal(dataset, cls.seed, prepared).ok).toBe(true);

    // Weights: class centroids of the training split (a nearest-centroid-like linear scorer).
    const { dim, numClasses } = split;
    const weights = new Float32Array(dim * numClasses);
    const bias = new Float32Array(numClasses);
    for (let c = 0; c < numClasses; c += 1) {
      const members = split.train.filter((e) => e.label === c);
      for (let j = 0; j < dim; j += 1) weights[j * numClasses + c] = members.reduce((s, e) => s + e.features[j], 0) / members.length / 4;
    }
    let lossSum = 0;
    let correct = 0;
    for (const ex of split.test) {
      const logits = Array.from({ length: numClasses }, (_, c) => {
        let s = 0;
        for (let j = 0; j < dim; j += 1) s += ex.features[j] * weights[j * numClasses + c];
        return Math.fround(Math.fround(s) + bias[c]);
      });
      const max = Math.max(...logits);
      lossSum += max + Math.log(logits.reduce((z, l) => z + Math.exp(l - max), 0)) - logits[ex.label];
      if (logits.indexOf(max) === ex.label) correct += 1;
    }
    const score = scoreOf(await service.evaluate(cls, writeModel('model.onnx', linearClassifier(weights, bias, dim, numClasses))));
    expect(Math.abs(score.metricValue - lossSum / split.test.length)).toBeLessThan(1e-5);
    expect(score.accuracy).toBeCloseTo(correct / split.test.length, 10);
    expect(score.accuracy).toBeGreaterThan(0.5);

    const uniform = scoreOf(await service.evaluateBaseline(cls, 'builtin:uniform'));
    expect(Math.abs(uniform.metricValue - Math.log(numClasses))).toBeLessThan(1e-6);
  });
});
