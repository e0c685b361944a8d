import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import type { ImageDataset, ImageSplit } from '../../src/evaluation/datasets/image-split';
import { splitDataset, verifyReveal } from '../../src/evaluation/datasets/split';
import { scaledInputDenoiser } from '../../src/evaluation/onnx/denoiser-models';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { EvaluationResult, TaskDataRequest } from '../../src/evaluation/task-data';
import { croppedDenoiser, labelledDenoiser, nanDenoiser, wrongInputDenoiser } from '../support/image-models';
import { scoreOf } from '../support/evaluation';

/** The `image` (denoising) task type on real onnxruntime in a real worker process. */
describe('OnnxTaskDataService (image, real onnxruntime)', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  const datasets = new DatasetRegistry();
  const req: TaskDataRequest = { taskId: 'task-image', taskType: 'image', datasetId: 'shapes-16-v1', seed: 'seed-image-1' };
  let split: ImageSplit;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-image-'));
    const config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1', CRUCIBLE_EVAL_MEMORY_MB: '2048', CRUCIBLE_EVAL_TIMEOUT_SECONDS: '30' });
    service = new OnnxTaskDataService(config, datasets);
    split = splitDataset(await datasets.load(req.datasetId, req.seed), req.seed) as ImageSplit;
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const writeModel = (bytes: Uint8Array): string => {
    const dir = fs.mkdtempSync(path.join(dataDir, 'artifact-'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
    return path.join(dir, 'model.onnx');
  };
  const failure = (result: EvaluationResult): { code: string; infra: boolean; reason: string } => {
    if (result.ok) throw new Error(`expected a failure, got metric ${result.score.metricValue}`);
    return result;
  };

  it('hands out clean training images only, and the commitment (noise included) re-derives from the reveal', async () => {
    const prepared = await service.prepare(req);
    expect(fs.readdirSync(prepared.trainDir).sort()).toEqual(['images.f32', 'labels.u8', 'meta.json']);
    const meta = JSON.parse(fs.readFileSync(path.join(prepared.trainDir, 'meta.json'), 'utf8'));
    // 1536 images, round(1536 * 0.125) = 192 of them held out.
    expect(meta).toEqual({
      format: 'images-f32',
      count: 1344,
      channels: 1,
      height: 16,
      width: 16,
      numClasses: 4,
      schedule: { kind: 'linear-beta', timesteps: 100, betaStart: 1e-3, betaEnd: 0.04 },
      baseModel: { id: 'shapes-denoiser-v1', sha256: '6229b83ee0a09a96df9b3d9e8441c8fc642395f1e491d8599999735073ea78bf', path: '/task/base' },
    });
    // The base denoiser sits beside the training split (mounted at /task/base): weights, architecture, ONNX.
    expect(fs.readdirSync(path.join(path.dirname(prepared.trainDir), 'base')).sort()).toEqual(['README.md', 'model.onnx', 'model.pt', 'model.py']);
    expect(fs.statSync(path.join(prepared.trainDir, 'images.f32')).size).toBe(1344 * 256 * 4);
    expect(split.test).toHaveLength(192);

    const dataset = (await datasets.load(req.datasetId, req.seed)) as ImageDataset;
    expect(verifyReveal(dataset, req.seed, prepared)).toMatchObject({ ok: true });
    // Same images, another seed: another split and other noise, so another commitment.
    expect(verifyReveal(dataset, 'seed-image-2', prepared)).toMatchObject({ ok: false, testSetMatches: false });
    expect(await service.prepare(req)).toMatchObject({ testSetCommitment: prepared.testSetCommitment });
  });

  it('scores the zero-noise predictor at the mean squared drawn noise, per example (noise variance ~1)', async () => {
    const score = scoreOf(await service.evaluate(req, writeModel(scaledInputDenoiser(0, 16))));
    // Worked from the drawn values: example k's loss is (1/256) * sum over pixels of noise^2.
    const expected = split.test.map((ex) => ex.noise.reduce((s, e) => s + e * e, 0) / 256);
    const losses = await service.readLosses(score.lossesPath);
    expect(losses).toHaveLength(192);
    losses.forEach((loss, k) => expect(Math.abs(loss - expected[k])).toBeLessThan(1e-12));
    const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
    expect(Math.abs(score.metricValue - mean)).toBeLessThan(1e-12);
    // 192 x 256 draws of N(0, 1): the sample variance is 1 within a few standard errors (sqrt(2 / 49152) ~ 0.0064).
    expect(Math.abs(mean - 1)).toBeLessThan(0.03);
    expect(score.metricName).toBe('denoising_mse');

    const baseline = scoreOf(await service.evaluateBaseline(req, 'builtin:uniform'));
    expect(baseline.metricValue).toBe(score.metricValue);
    // The pretrained base denoiser does far better (measured 0.13 on another seed).
    const base = scoreOf(await service.evaluateBaseline(req, 'base:shapes-denoiser-v1'));
    expect(base.metricValue).toBeLessThan(0.3);
  });

  it('feeds the optional label and the noisy input exactly: noise = 0.5 * noisy + 0.25 * label', async () => {
    const score = scoreOf(await service.evaluate(req, writeModel(labelledDenoiser(16, 0.5, 0.25))));
    const expected = split.test.map((ex) => {
      let s = 0;
      for (let j = 0; j < 256; j += 1) {
        const predicted = Math.fround(Math.fround(0.5 * ex.noisy[j]) + Math.fround(0.25 * ex.label));
        s += (predicted - ex.noise[j]) ** 2;
      }
      return s / 256;
    });
    const losses = await service.readLosses(score.lossesPath);
    losses.forEach((loss, k) => expect(Math.abs(loss - expected[k])).toBeLessThan(1e-9));
  });

  it('rejects hostile denoisers with typed outcomes: wrong input, wrong output shape, NaN', async () => {
    expect(failure(await service.evaluate(req, writeModel(wrongInputDenoiser(16))))).toMatchObject({ code: 'IO_CONTRACT_MISMATCH', infra: false });
    expect(failure(await service.evaluate(req, writeModel(scaledInputDenoiser(0, 8))))).toMatchObject({ code: 'IO_CONTRACT_MISMATCH', infra: false });
    const cropped = failure(await service.evaluate(req, writeModel(croppedDenoiser(16))));
    expect(cropped).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
    expect(cropped.reason).toContain('noise must have shape');
    const nan = failure(await service.evaluate(req, writeModel(nanDenoiser(16))));
    expect(nan).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
    expect(nan.reason).toContain('non-finite');
  });
});
