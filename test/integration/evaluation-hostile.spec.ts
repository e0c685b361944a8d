import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { EvaluationResult, TaskDataRequest } from '../../src/evaluation/task-data';
import {
  constantHugeAllocationModel,
  customDomainModel,
  endlessLoopModel,
  externalDataHidingPlaces,
  externalDataModel,
  hugeDimensionModel,
  nanOutputModel,
  opsetModel,
  runtimeHugeAllocationModel,
  uniformModel,
  wrongInputNameModel,
  wrongVocabAtRuntimeModel,
} from '../support/onnx-models';

/**
 * Hostile model files: each gets its typed rejection (static checks) or a contained failure in the
 * worker process, and the service (this process) keeps scoring afterwards.
 */
describe('hostile model corpus', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  /** The same service with a 2 s evaluation limit, for the model that never ends (the test waits out the limit). */
  let quickLimit: OnnxTaskDataService;
  const req: TaskDataRequest = { taskId: 'task-hostile', taskType: 'causal-lm', datasetId: 'devils-dictionary', seed: 'hostile-seed' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-hostile-'));
    const env = {
      CRUCIBLE_DATA_DIR: dataDir,
      CRUCIBLE_EXECUTION_PROVIDER: 'cpu',
      CRUCIBLE_EVAL_THREADS: '1',
      CRUCIBLE_EVAL_MEMORY_MB: '768',
      CRUCIBLE_EVAL_MAX_MODEL_MB: '1',
      CRUCIBLE_EVAL_TIMEOUT_SECONDS: '8',
    };
    service = new OnnxTaskDataService(loadConfig(env), new DatasetRegistry());
    await service.prepare(req);
    quickLimit = new OnnxTaskDataService(loadConfig({ ...env, CRUCIBLE_EVAL_TIMEOUT_SECONDS: '2' }), new DatasetRegistry());
    await quickLimit.prepare(req);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const artifact = (files: Record<string, Uint8Array | string>): string => {
    const dir = fs.mkdtempSync(path.join(dataDir, 'artifact-'));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return path.join(dir, 'model.onnx');
  };
  const failure = (result: EvaluationResult): { code: string; infra: boolean; reason: string } => {
    if (result.ok) throw new Error(`expected a failure, got metric ${result.score.metricValue}`);
    return result;
  };

  const staticCases: [string, () => Record<string, Uint8Array | string>, string][] = [
    ['a missing model file', () => ({ 'other.onnx': uniformModel() }), 'MODEL_MISSING'],
    ['a file over the size cap', () => ({ 'model.onnx': Buffer.alloc(2 * 1024 * 1024, 7) }), 'MODEL_TOO_LARGE'],
    ['a truncated model', () => ({ 'model.onnx': uniformModel().subarray(0, 2000) }), 'MODEL_NOT_PROTOBUF'],
    ['random bytes', () => ({ 'model.onnx': Buffer.from('this is not a protobuf at all, just text\n'.repeat(20)) }), 'MODEL_NOT_PROTOBUF'],
    ['an empty file', () => ({ 'model.onnx': Buffer.alloc(0) }), 'MODEL_NOT_PROTOBUF'],
    ['a custom operator domain', () => ({ 'model.onnx': customDomainModel() }), 'CUSTOM_OPERATOR_DOMAIN'],
    ['an unsupported opset', () => ({ 'model.onnx': opsetModel(99) }), 'OPSET_UNSUPPORTED'],
    ['external data at ../../etc/passwd', () => ({ 'model.onnx': externalDataModel('../../etc/passwd') }), 'EXTERNAL_DATA_OUTSIDE_ARTIFACT'],
    ['external data at an absolute path', () => ({ 'model.onnx': externalDataModel('/etc/passwd') }), 'EXTERNAL_DATA_OUTSIDE_ARTIFACT'],
    ['external data that is not there', () => ({ 'model.onnx': externalDataModel('weights.bin') }), 'EXTERNAL_DATA_OUTSIDE_ARTIFACT'],
    ['wrong input names', () => ({ 'model.onnx': wrongInputNameModel() }), 'IO_CONTRACT_MISMATCH'],
    ['a 2^40-element dimension', () => ({ 'model.onnx': hugeDimensionModel() }), 'DIMENSION_TOO_LARGE'],
    ['a constant 2^40-element allocation', () => ({ 'model.onnx': constantHugeAllocationModel() }), 'DIMENSION_TOO_LARGE'],
  ];

  it.each(staticCases)('rejects %s with a typed reason', async (_name, files, code) => {
    const result = failure(await service.evaluate(req, artifact(files())));
    expect(result).toMatchObject({ code, infra: false });
    expect(result.reason.length).toBeGreaterThan(10);
  });

  it('rejects external data that escapes through a symlink', async () => {
    const modelPath = artifact({ 'model.onnx': externalDataModel('weights.bin') });
    fs.symlinkSync('/etc/passwd', path.join(path.dirname(modelPath), 'weights.bin'));
    expect(failure(await service.evaluate(req, modelPath))).toMatchObject({ code: 'EXTERNAL_DATA_OUTSIDE_ARTIFACT', infra: false });
  });

  // Every place an ONNX file can point at external data, each at a host file: refused by the
  // checker itself (its reason names the tensor), whatever the installed onnxruntime would do.
  const hiding = Object.keys(externalDataHidingPlaces).flatMap((place) => ['/etc/passwd', '../../../etc/passwd'].map((location): [string, string] => [place, location]));
  it.each(hiding)('rejects external data in %s pointing at %s', async (place, location) => {
    const modelPath = artifact({ 'model.onnx': externalDataHidingPlaces[place](location), 'weights.bin': Buffer.alloc(256 * 256 * 4) });
    const result = failure(await service.evaluate(req, modelPath));
    expect(result).toMatchObject({ code: 'EXTERNAL_DATA_OUTSIDE_ARTIFACT', infra: false });
    expect(result.reason).toMatch(/tensor "/);
  });

  it.each([
    ['a file link pointing inside the artifact', (dir: string) => fs.symlinkSync('table.bin', path.join(dir, 'weights.bin')), 'weights.bin'],
    ['a directory link pointing inside the artifact', (dir: string) => fs.symlinkSync('.', path.join(dir, 'weights')), 'weights/table.bin'],
  ])('rejects external data reached through %s', async (_name, link, location) => {
    const modelPath = artifact({ 'model.onnx': externalDataModel(location), 'table.bin': Buffer.alloc(256 * 256 * 4) });
    link(path.dirname(modelPath));
    const result = failure(await service.evaluate(req, modelPath));
    expect(result).toMatchObject({ code: 'EXTERNAL_DATA_OUTSIDE_ARTIFACT', infra: false });
    expect(result.reason).toMatch(/through a link/);
  });

  it('accepts external data inside the artifact directory', async () => {
    const modelPath = artifact({ 'model.onnx': externalDataModel('weights/table.bin') });
    fs.mkdirSync(path.join(path.dirname(modelPath), 'weights'));
    fs.writeFileSync(path.join(path.dirname(modelPath), 'weights', 'table.bin'), Buffer.alloc(256 * 256 * 4));
    const result = await service.evaluate(req, modelPath);
    expect(result.ok && Math.abs(result.score.metricValue - Math.log(256))).toBeLessThan(1e-6);
  });

  it('contains a graph that allocates a huge tensor at run time', async () => {
    const result = failure(await service.evaluate(req, artifact({ 'model.onnx': runtimeHugeAllocationModel() })));
    expect(['EVAL_MEMORY_LIMIT', 'INFERENCE_FAILED']).toContain(result.code);
    expect(result.infra).toBe(false);
  });

  it('stops a graph that loops forever at the time limit', async () => {
    const started = Date.now();
    const result = failure(await quickLimit.evaluate(req, artifact({ 'model.onnx': endlessLoopModel() })));
    expect(result).toMatchObject({ code: 'EVAL_TIMEOUT', infra: false, reason: 'evaluation exceeded 2 s and was stopped' });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses outputs that break the contract at run time', async () => {
    expect(failure(await service.evaluate(req, artifact({ 'model.onnx': nanOutputModel() })))).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
    expect(failure(await service.evaluate(req, artifact({ 'model.onnx': wrongVocabAtRuntimeModel() })))).toMatchObject({ code: 'OUTPUT_INVALID', infra: false });
  });

  it('still scores a good model after all of the above (the service stayed up)', async () => {
    const result = await service.evaluate(req, artifact({ 'model.onnx': uniformModel() }));
    expect(result.ok && Math.abs(result.score.metricValue - Math.log(256))).toBeLessThan(1e-6);
  });
});
