import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { ValidationError } from '../common/domain-error';
import { ContaminationReport, findContamination } from './contamination';
import { DATASET_KIND_FOR_TASK } from './datasets/dataset';
import { DatasetRegistry } from './datasets/dataset-registry';
import { canonicalTestSplit, DatasetSplit, seedCommitment, sha256Hex, splitDataset } from './datasets/split';
import { writeTrainSplit } from './datasets/task-split-files';
import { DatasetError, EvaluationErrorCode as Code } from './evaluation.errors';
import { chooseExecutionProvider, ProviderDecision } from './execution-provider';
import { DEFAULT_BATCH_UNITS, decodeLosses, ModelScorer } from './model-scorer';
import { buildBaselineModel, isBuiltinBaseModel } from './onnx/baseline-models';
import { BASE_MODEL_PREFIX, baseModelEntry, loadBaseModel } from './base-models';
import { EvaluationResult, PreparedTaskData, TaskDataRequest, TaskDataService } from './task-data';

interface HiddenSplit {
  split: DatasetSplit;
  testSplitPath: string;
  testSetCommitment: string;
}

/**
 * TaskDataService on local datasets and onnxruntime-node. Per task, under
 * `<dataDir>/evaluation/tasks/<taskId>/`: `train/` (mounted into sandboxes), `hidden/` (0700: the
 * canonical test split), `baseline/` (built base models) and `losses/` (per-example losses).
 */
@Injectable()
export class OnnxTaskDataService extends TaskDataService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OnnxTaskDataService.name);
  private readonly decision: ProviderDecision;
  private readonly scorer: ModelScorer;
  private readonly hidden = new Map<string, HiddenSplit>();

  constructor(
    private readonly config: AppConfig,
    private readonly datasets: DatasetRegistry,
  ) {
    super();
    this.decision = chooseExecutionProvider(config.evaluation.executionProvider);
    this.scorer = new ModelScorer({
      provider: this.decision.provider,
      timeoutMs: config.evaluation.timeoutSeconds * 1000,
      memoryMb: config.evaluation.memoryMb,
      maxModelBytes: config.evaluation.maxModelMb * 1024 * 1024,
      intraOpThreads: config.evaluation.threads,
      batchUnits: DEFAULT_BATCH_UNITS,
      workerEnv: config.evaluation.workerEnv,
    });
  }

  onModuleInit(): void {
    if (this.decision.degraded) this.logger.warn(this.decision.reason);
    else this.logger.log(this.decision.reason);
  }

  onModuleDestroy(): void {
    this.scorer.close();
  }

  async prepare(req: TaskDataRequest): Promise<PreparedTaskData> {
    // Evaluations follow a prepared task: have a worker process started by then.
    void this.scorer.warm();
    const hidden = await this.hiddenSplit(req);
    const trainDir = path.join(this.taskDir(req.taskId), 'train');
    const meta = await writeTrainSplit(hidden.split, trainDir);
    this.logger.log({ taskId: req.taskId, datasetId: req.datasetId, testExamples: hidden.split.testIndices.length }, 'task data prepared');
    return {
      trainDir,
      seedCommitment: seedCommitment(req.seed),
      testSetCommitment: hidden.testSetCommitment,
      specHints: { taskType: req.taskType, datasetId: req.datasetId, trainFiles: meta },
    };
  }

  async evaluate(req: TaskDataRequest, modelPath: string): Promise<EvaluationResult> {
    const hidden = await this.hiddenSplit(req);
    const result = await this.scorer.score({
      taskType: req.taskType,
      modelPath,
      testSplitPath: hidden.testSplitPath,
      testSetSha256: hidden.testSetCommitment,
      seed: req.seed,
      params: req.params,
      lossesDir: path.join(this.taskDir(req.taskId), 'losses'),
    });
    this.logResult(req, result, modelPath);
    return result;
  }

  async evaluateBaseline(req: TaskDataRequest, baseModel: string): Promise<EvaluationResult> {
    const hidden = await this.hiddenSplit(req);
    let modelPath: string;
    let trusted = false;
    if (isBuiltinBaseModel(baseModel)) {
      modelPath = path.join(this.taskDir(req.taskId), 'baseline', `${baseModel.replace(':', '-')}.onnx`);
      await fs.promises.mkdir(path.dirname(modelPath), { recursive: true });
      await fs.promises.writeFile(modelPath, buildBaselineModel(baseModel, hidden.split));
      trusted = true;
    } else if (baseModel.startsWith(BASE_MODEL_PREFIX) && baseModelEntry(baseModel)) {
      // A registered pretrained base model: its file is checked against its registered sha256.
      modelPath = path.join((await loadBaseModel(baseModel)).dir, 'model.onnx');
      trusted = true;
    } else if (path.isAbsolute(baseModel) && baseModel.endsWith('.onnx')) {
      modelPath = baseModel;
    } else {
      return { ok: false, infra: false, code: Code.UnknownBaseModel, reason: `unknown base model "${baseModel}" (builtin:uniform, builtin:unigram, base:<id> or an absolute .onnx path)` };
    }
    const result = await this.scorer.score({
      taskType: req.taskType,
      modelPath,
      testSplitPath: hidden.testSplitPath,
      testSetSha256: hidden.testSetCommitment,
      seed: req.seed,
      params: req.params,
      lossesDir: path.join(this.taskDir(req.taskId), 'losses'),
      trusted,
    });
    this.logResult(req, result, baseModel);
    // The baseline is the organiser's model: any failure is ours, never a miner's.
    return result.ok ? result : { ...result, infra: true, reason: `baseline ${baseModel}: ${result.reason}` };
  }

  async checkContamination(req: TaskDataRequest, checkout: (dir: string) => Promise<void>, threshold: number): Promise<ContaminationReport | null> {
    const { split } = await this.hiddenSplit(req);
    if (split.kind !== 'tokens') return null;
    const scratch = path.join(this.taskDir(req.taskId), 'scan');
    await fs.promises.mkdir(scratch, { recursive: true });
    const codeDir = await fs.promises.mkdtemp(path.join(scratch, 'code-'));
    try {
      await checkout(codeDir);
      const tokens = new Uint8Array(split.test.length * split.seqLen);
      split.test.forEach((seq, i) => tokens.set(seq, i * split.seqLen));
      const report = findContamination(tokens, split.test.length, split.seqLen, repositoryFiles(codeDir), threshold);
      if (report) this.logger.warn({ taskId: req.taskId, examples: report.examples.length, total: report.total, file: report.file }, 'contaminated repository');
      return report;
    } finally {
      await fs.promises.rm(codeDir, { recursive: true, force: true });
    }
  }

  async discard(taskIds: string[]): Promise<void> {
    for (const taskId of taskIds) {
      for (const key of [...this.hidden.keys()]) if (key.startsWith(`${taskId}\0`)) this.hidden.delete(key);
      await fs.promises.rm(this.taskDir(taskId), { recursive: true, force: true });
    }
  }

  async preparedTasks(): Promise<Array<{ taskId: string; writtenAtMs: number }>> {
    const root = path.join(this.config.dataDir, 'evaluation', 'tasks');
    const entries = await fs.promises.readdir(root, { withFileTypes: true }).catch(() => []);
    const out: Array<{ taskId: string; writtenAtMs: number }> = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const stat = await fs.promises.stat(path.join(root, e.name)).catch(() => null);
      if (stat) out.push({ taskId: e.name, writtenAtMs: stat.mtimeMs });
    }
    return out;
  }

  async readLosses(lossesPath: string): Promise<Float64Array> {
    return decodeLosses(await fs.promises.readFile(lossesPath));
  }

  private taskDir(taskId: string): string {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(taskId)) throw new ValidationError(`task id "${taskId}" is not a safe directory name`, ['taskId']);
    return path.join(this.config.dataDir, 'evaluation', 'tasks', taskId);
  }

  /** Derives the split (deterministic, so re-deriving after a restart gives the same files). */
  private async hiddenSplit(req: TaskDataRequest): Promise<HiddenSplit> {
    const key = `${req.taskId}\0${req.datasetId}\0${req.seed}`;
    const cached = this.hidden.get(key);
    if (cached && fs.existsSync(cached.testSplitPath)) return cached;

    const dataset = await this.datasets.load(req.datasetId, req.seed);
    if (DATASET_KIND_FOR_TASK[req.taskType] !== dataset.kind) {
      throw new DatasetError(Code.UnsupportedTaskType, `dataset ${req.datasetId} (${dataset.kind}) cannot serve task type ${req.taskType}`);
    }
    const split = splitDataset(dataset, req.seed);
    const canonical = canonicalTestSplit(split);
    const hiddenDir = path.join(this.taskDir(req.taskId), 'hidden');
    await fs.promises.mkdir(hiddenDir, { recursive: true, mode: 0o700 });
    const testSplitPath = path.join(hiddenDir, 'test-split.bin');
    await fs.promises.writeFile(testSplitPath, canonical, { mode: 0o600 });
    const entry = { split, testSplitPath, testSetCommitment: sha256Hex(canonical) };
    this.hidden.set(key, entry);
    return entry;
  }

  private logResult(req: TaskDataRequest, result: EvaluationResult, model: string): void {
    if (result.ok) {
      this.logger.log({ taskId: req.taskId, model, metric: result.score.metricValue, examples: result.score.exampleCount, provider: result.score.executionProvider }, 'model scored');
    } else {
      this.logger.warn({ taskId: req.taskId, model, code: result.code, infra: result.infra, reason: result.reason }, 'model not scored');
    }
  }
}

/** Every regular file under `root` (links and special files skipped), path relative to root. */
function* repositoryFiles(root: string, rel = ''): Generator<{ path: string; bytes: Uint8Array }> {
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* repositoryFiles(root, name);
    else if (entry.isFile()) yield { path: name, bytes: fs.readFileSync(path.join(root, name)) };
  }
}
