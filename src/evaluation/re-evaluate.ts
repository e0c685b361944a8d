import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EvaluationConfig } from '../config/app-config';
import { DatasetRegistry } from './datasets/dataset-registry';
import { DATASET_KIND_FOR_TASK } from './datasets/dataset';
import { canonicalTestSplit, seedCommitment, sha256Hex, splitDataset } from './datasets/split';
import { DatasetError, EvaluationErrorCode as Code } from './evaluation.errors';
import { chooseExecutionProvider } from './execution-provider';
import { DEFAULT_BATCH_UNITS, ModelScorer } from './model-scorer';
import type { EvaluationResult, TaskType } from './task-data';
import type { CausalityMethod } from './task-types/causality';
import type { TaskTypeParams } from '../scoring/rulebook';

export interface ReEvaluateOptions {
  modelPath: string;
  taskType: TaskType;
  datasetId: string;
  /** The revealed task seed. */
  seed: string;
  /** The task's recorded constants (rulebook `taskTypes.<type>`); absent: the values from before rulebooks carried them. */
  params?: TaskTypeParams;
  /** The causality check's method to re-run (a sealed evaluation's recorded one); default CAUSALITY_METHOD. */
  causalityMethod?: CausalityMethod;
  /** Published commitments to check the reveal against (optional). */
  expectedSeedCommitment?: string;
  expectedTestSetCommitment?: string;
  /** Evaluation settings; defaults to CPU with the config defaults (threads: one per core). */
  evaluation?: Pick<EvaluationConfig, 'executionProvider' | 'maxModelMb' | 'timeoutSeconds' | 'memoryMb'> & Partial<EvaluationConfig>;
  datasets?: DatasetRegistry;
  /** Where `key: value` lines go (default: stdout). */
  print?: (line: string) => void;
}

export interface ReEvaluation {
  result: EvaluationResult;
  seedCommitment: string;
  testSetCommitment: string;
  /** False when an expected commitment was given and does not match. */
  commitmentsMatch: boolean;
}

/**
 * Re-runs one evaluation from revealed data (dataset + seed), as an auditor would: re-derives the
 * hidden split, checks it against the published commitments when given, scores the model in a
 * worker process and prints the figures as `key: value` lines. Used by `crucible evaluate`.
 */
export async function reEvaluate(opts: ReEvaluateOptions): Promise<ReEvaluation> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = opts.evaluation ?? { executionProvider: 'cpu' as const, maxModelMb: 512, timeoutSeconds: 600, memoryMb: 4096 };
  const dataset = await (opts.datasets ?? new DatasetRegistry()).load(opts.datasetId, opts.seed);
  if (DATASET_KIND_FOR_TASK[opts.taskType] !== dataset.kind) {
    throw new DatasetError(Code.UnsupportedTaskType, `dataset ${opts.datasetId} (${dataset.kind}) cannot serve task type ${opts.taskType}`);
  }
  const canonical = canonicalTestSplit(splitDataset(dataset, opts.seed));
  const testSetCommitment = sha256Hex(canonical);
  const seedHash = seedCommitment(opts.seed);
  const commitmentsMatch =
    (opts.expectedSeedCommitment === undefined || opts.expectedSeedCommitment.toLowerCase() === seedHash) &&
    (opts.expectedTestSetCommitment === undefined || opts.expectedTestSetCommitment.toLowerCase() === testSetCommitment);

  const decision = chooseExecutionProvider(settings.executionProvider);
  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'crucible-reeval-'));
  try {
    const testSplitPath = path.join(workDir, 'test-split.bin');
    await fs.promises.writeFile(testSplitPath, canonical, { mode: 0o600 });
    const scorer = new ModelScorer({
      provider: decision.provider,
      timeoutMs: settings.timeoutSeconds * 1000,
      memoryMb: settings.memoryMb,
      maxModelBytes: settings.maxModelMb * 1024 * 1024,
      intraOpThreads: settings.threads ?? 0,
      batchUnits: DEFAULT_BATCH_UNITS,
      workerEnv: settings.workerEnv,
      spareWorkers: 0,
    });
    const result = await scorer.score({ taskType: opts.taskType, modelPath: opts.modelPath, testSplitPath, testSetSha256: testSetCommitment, seed: opts.seed, params: opts.params, causalityMethod: opts.causalityMethod, lossesDir: workDir });

    print(`provider: ${decision.reason}`);
    print(`seed_commitment: ${seedHash}`);
    print(`test_set_commitment: ${testSetCommitment}`);
    if (opts.expectedSeedCommitment !== undefined || opts.expectedTestSetCommitment !== undefined) print(`commitments_match: ${commitmentsMatch}`);
    if (result.ok) {
      const s = result.score;
      print(`model_sha256: ${s.modelSha256}`);
      print(`examples: ${s.exampleCount}`);
      print(`${s.metricName}: ${s.metricValue}`);
      if (s.accuracy !== null) print(`accuracy: ${s.accuracy}`);
      print(`losses_sha256: ${s.lossesSha256}`);
      print(`evaluator: ${s.evaluatorVersion}`);
      if (s.causality) print(`causality: ok, ${s.causality.checks.length} spliced sequences, max deviation ${s.causality.maxDeviation}`);
    } else {
      print(`error: ${result.code}: ${result.reason}`);
      if (result.evidence) print(`evidence: ${JSON.stringify(result.evidence)}`);
    }
    return { result, seedCommitment: seedHash, testSetCommitment, commitmentsMatch };
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
