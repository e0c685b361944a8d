import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/app-config';
import type { TokenDataset } from '../../src/evaluation/datasets/dataset';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { splitDataset, type TokenSplit } from '../../src/evaluation/datasets/split';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { EvaluationResult, TaskDataRequest } from '../../src/evaluation/task-data';
import { batchShapeBranchModel, bigramModel, bigramTable, lookAheadModel, spaceLookAheadModel, transformerModel, uniformModel } from '../support/onnx-models';

const run = promisify(execFile);
const NON_CAUSAL = /^non-causal: logits at position (\d+) changed when tokens after \1 changed$/;

/**
 * Issue 19: a model that reads the tokens it predicts must never be scored. Each look-ahead model
 * below scores (far) better than any honest model if nothing checks it; each must end NON_CAUSAL
 * with the offending example and position as evidence. Honest models must never be flagged.
 */
describe('causality check (look-ahead models)', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  let split: TokenSplit;
  const req: TaskDataRequest = { taskId: 'task-causal', taskType: 'causal-lm', datasetId: 'devils-dictionary', seed: 'causality-seed-1' };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-causal-'));
    const config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1', CRUCIBLE_EVAL_MEMORY_MB: '2048' });
    const datasets = new DatasetRegistry();
    service = new OnnxTaskDataService(config, datasets);
    await service.prepare(req);
    split = splitDataset((await datasets.load(req.datasetId)) as TokenDataset, req.seed) as TokenSplit;
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const modelFile = (bytes: Uint8Array): string => {
    const dir = fs.mkdtempSync(path.join(dataDir, 'artifact-'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), bytes);
    return path.join(dir, 'model.onnx');
  };

  const expectNonCausal = (result: EvaluationResult): Record<string, number> => {
    if (result.ok) throw new Error(`a look-ahead model was scored: ${result.score.metricValue}`);
    expect(result).toMatchObject({ code: 'NON_CAUSAL', infra: false });
    expect(result.reason).toMatch(NON_CAUSAL);
    const evidence = result.evidence as Record<string, number>;
    expect(evidence).toMatchObject({ method: 'crucible-causal/3', tolerance: 1e-4 });
    // The evidence names a real test example and a position at or before the cut, and the reason names the same position.
    expect(evidence.example).toBeGreaterThanOrEqual(0);
    expect(evidence.example).toBeLessThan(split.test.length);
    expect(evidence.position).toBeLessThanOrEqual(evidence.cut);
    expect(evidence.deviation).toBeGreaterThan(1e-4);
    expect(Number(NON_CAUSAL.exec(result.reason)?.[1])).toBe(evidence.position);
    return evidence;
  };

  it('rejects the three-node model that reads the next token (it would score ~0 nats)', async () => {
    const evidence = expectNonCausal(await service.evaluate(req, modelFile(lookAheadModel(1))));
    // Reading token t+1 at position t: only the cut position itself sees a replaced token.
    expect(evidence.position).toBe(evidence.cut);
  });

  it('rejects a model that looks two tokens ahead', async () => {
    const evidence = expectNonCausal(await service.evaluate(req, modelFile(lookAheadModel(2))));
    expect(evidence.cut - evidence.position).toBeLessThanOrEqual(1);
  });

  it('rejects a model that looks ahead only where the next byte is a space', async () => {
    const table = bigramTable(split.train);
    const evidence = expectNonCausal(await service.evaluate(req, modelFile(spaceLookAheadModel(table))));
    // The deviation appears at a cut where the original or the spliced next byte is a space.
    const original = split.test[evidence.example][evidence.cut + 1];
    const spliced = split.test[evidence.donor][evidence.cut + 1];
    expect([original, spliced]).toContain(32);
  });

  it('rejects look-ahead hidden in an If subgraph behind a batch-shape condition', async () => {
    // The scoring pass runs full batches of 16384 / 128 = 128 sequences: the model cheats only there.
    const table = bigramTable(split.train);
    expectNonCausal(await service.evaluate(req, modelFile(batchShapeBranchModel(table, 128))));
  });

  it('scores an honest table model and records the check sample it passed', async () => {
    const result = await service.evaluate(req, modelFile(bigramModel(bigramTable(split.train))));
    if (!result.ok) throw new Error(result.reason);
    // 300 test sequences (10% of 2997 windows): min(64, floor(300 / 2)) = 64 spliced checks, all exact on CPU.
    expect(result.score.causality).toMatchObject({ method: 'crucible-causal/3', maxDeviation: 0 });
    expect(result.score.causality?.checks).toHaveLength(64);
  });

  it('never flags 20 honest models (transformers with a causal mask and table models, different seeds) or the baselines', async () => {
    const honest: [string, Uint8Array][] = [];
    for (let s = 0; s < 12; s += 1) honest.push([`transformer seed ${s}`, transformerModel(16 + 8 * (s % 3), 1 + (s % 2), 1000 + s)]);
    for (let s = 0; s < 8; s += 1) {
      // Bigram tables from different slices of the training split.
      const slice = split.train.subarray(s * 20_000, (s + 1) * 20_000 + 5_000);
      honest.push([`bigram slice ${s}`, bigramModel(bigramTable(slice))]);
    }
    const flagged: string[] = [];
    for (const [name, bytes] of honest) {
      const result = await service.evaluate(req, modelFile(bytes));
      if (!result.ok) flagged.push(`${name}: ${result.code} ${result.reason}`);
      else expect(result.score.causality?.maxDeviation).toBeLessThanOrEqual(1e-4);
    }
    expect(flagged).toEqual([]);
    for (const base of ['builtin:uniform', 'builtin:unigram']) {
      const result = await service.evaluateBaseline(req, base);
      expect(result.ok).toBe(true);
    }
  });

  it('`crucible evaluate` exits non-zero with the reason on a look-ahead model, and 0 on an honest one', async () => {
    const cli = path.resolve('dist/src/cli.js');
    const args = (model: string): string[] => [cli, 'evaluate', '--model', model, '--dataset', req.datasetId, '--seed', req.seed, '--type', 'causal-lm'];
    const env = { ...process.env, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1', CRUCIBLE_LOG_LEVEL: 'error' };
    const cheating = await run(process.execPath, args(modelFile(lookAheadModel(1))), { env }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(cheating.code).toBe(1);
    expect(cheating.stdout).toMatch(/error: NON_CAUSAL: non-causal: logits at position \d+ changed when tokens after \d+ changed/);
    const honest = await run(process.execPath, args(modelFile(uniformModel())), { env });
    expect(honest.stdout).toMatch(/cross_entropy_nats: 5\.545177/);
    expect(honest.stdout).toMatch(/causality: ok, 64 spliced sequences, max deviation 0/);
  });
});
