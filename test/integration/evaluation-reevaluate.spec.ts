import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import type { TokenDataset } from '../../src/evaluation/datasets/dataset';
import { splitDataset, type TokenSplit } from '../../src/evaluation/datasets/split';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import { reEvaluate } from '../../src/evaluation/re-evaluate';
import type { TaskDataRequest } from '../../src/evaluation/task-data';
import { causalityDifference } from '../../src/evaluation/task-types/causality';
import { bigramModel, bigramTable } from '../support/onnx-models';

/** An auditor re-runs a stored evaluation from the revealed seed and gets the same bits. */
describe('reEvaluate (auditor path)', () => {
  let dataDir: string;
  beforeAll(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-reeval-spec-'))));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('reproduces the service score and checks the published commitments', async () => {
    const evaluation = { executionProvider: 'cpu' as const, maxModelMb: 64, timeoutSeconds: 60, memoryMb: 2048, threads: 1 };
    const config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1', CRUCIBLE_EVAL_MEMORY_MB: '2048' });
    const datasets = new DatasetRegistry();
    const service = new OnnxTaskDataService(config, datasets);
    const req: TaskDataRequest = { taskId: 'task-audit', taskType: 'causal-lm', datasetId: 'devils-dictionary', seed: 'revealed-seed-42' };
    const prepared = await service.prepare(req);

    const split = splitDataset((await datasets.load(req.datasetId)) as TokenDataset, req.seed) as TokenSplit;
    const modelPath = path.join(dataDir, 'model.onnx');
    fs.writeFileSync(modelPath, bigramModel(bigramTable(split.train)));
    const stored = await service.evaluate(req, modelPath);
    if (!stored.ok) throw new Error(stored.reason);

    const lines: string[] = [];
    const audit = await reEvaluate({
      modelPath,
      taskType: 'causal-lm',
      datasetId: req.datasetId,
      seed: req.seed,
      expectedSeedCommitment: prepared.seedCommitment,
      expectedTestSetCommitment: prepared.testSetCommitment,
      evaluation,
      print: (line) => lines.push(line),
    });
    expect(audit.commitmentsMatch).toBe(true);
    if (!audit.result.ok) throw new Error(audit.result.reason);
    expect(Object.is(audit.result.score.metricValue, stored.score.metricValue)).toBe(true);
    expect(audit.result.score.lossesSha256).toBe(stored.score.lossesSha256);
    expect(lines).toContain(`cross_entropy_nats: ${stored.score.metricValue}`);
    expect(lines).toContain('commitments_match: true');

    const wrongSeed = await reEvaluate({ modelPath, taskType: 'causal-lm', datasetId: req.datasetId, seed: 'not-the-seed', expectedTestSetCommitment: prepared.testSetCommitment, evaluation, print: () => undefined });
    expect(wrongSeed.commitmentsMatch).toBe(false);

    // An evaluation sealed under crucible-causal/1 is re-run with its own sample: 300 test sequences,
    // /1 drew ceil(300 / 4) = 75 spliced sequences, /3 draws min(64, floor(300 / 2)) = 64. The losses
    // do not depend on the method (each row is computed alone on CPU, whatever its batch holds).
    const v1 = await reEvaluate({ modelPath, taskType: 'causal-lm', datasetId: req.datasetId, seed: req.seed, causalityMethod: 'crucible-causal/1', evaluation, print: () => undefined });
    if (!v1.result.ok) throw new Error(v1.result.reason);
    expect(v1.result.score.causality).toMatchObject({ method: 'crucible-causal/1', maxDeviation: 0 });
    expect(v1.result.score.causality?.checks).toHaveLength(75);
    expect(stored.score.causality).toMatchObject({ method: 'crucible-causal/3', maxDeviation: 0 });
    expect(stored.score.causality?.checks).toHaveLength(64);
    expect(v1.result.score.lossesSha256).toBe(stored.score.lossesSha256);
    // Each re-run's evidence equals what its own method records.
    expect(causalityDifference(stored.score.causality, audit.result.score.causality)).toBeNull();
    expect(causalityDifference(v1.result.score.causality, stored.score.causality)).toBe('causality.method: recorded crucible-causal/1, re-evaluated crucible-causal/3');
  });
});
