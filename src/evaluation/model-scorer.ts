import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EvaluationErrorCode as Code } from './evaluation.errors';
import { OPSET_RANGE } from './model-checks';
import { taskTypeParamProblems, type TaskTypeParams } from '../scoring/rulebook';
import type { EvaluationResult, TaskType } from './task-data';
import { CAUSALITY_METHOD, type CausalityMethod, causalitySeed } from './task-types/causality';
import { evaluatorFor } from './task-types';
import { InferenceRunner } from './worker/inference-runner';

/** Bumped whenever scoring could change for the same model and data. */
export const EVALUATOR_VERSION = 'crucible-eval/3 ort-1.30.0';

export interface ScorerSettings {
  provider: 'cpu' | 'cuda';
  timeoutMs: number;
  memoryMb: number;
  maxModelBytes: number;
  /** 0 = one per available core. */
  intraOpThreads: number;
  /** Tokens (causal-lm) or feature values (classification) per session.run call. */
  batchUnits: number;
  /** Environment of the worker process (see AppConfig.evaluation.workerEnv). */
  workerEnv?: Record<string, string>;
  /** Worker processes kept started ahead of evaluations (default 1; 0 for one-off scoring). */
  spareWorkers?: number;
}

export const DEFAULT_BATCH_UNITS = 16384;

export interface ScoreRequest {
  taskType: TaskType;
  modelPath: string;
  testSplitPath: string;
  testSetSha256: string;
  /** The task's secret seed: with the model's sha256 it draws the causality check's sample. */
  seed: string;
  /** Where the per-example losses file goes (named by the model's sha256). */
  lossesDir: string;
  /** The service's own baseline models skip the static checks. */
  trusted?: boolean;
  /** The causality check's method (default CAUSALITY_METHOD; re-evaluating a sealed evaluation: the recorded one). */
  causalityMethod?: CausalityMethod;
  /** The task's constants (rulebook `taskTypes.<type>`); absent: the values from before rulebooks carried them. */
  params?: TaskTypeParams;
}

/** Scores one model file on one hidden test split in a worker process and stores its losses. */
export class ModelScorer {
  private readonly runner: InferenceRunner;

  constructor(private readonly settings: ScorerSettings) {
    this.runner = new InferenceRunner(settings.workerEnv, settings.spareWorkers ?? 1);
  }

  /** Resolves once a worker process is started and waiting for the next evaluation. */
  warm(): Promise<void> {
    return this.runner.warm(this.settings.provider, this.settings.memoryMb);
  }

  /** Stops the waiting worker processes. */
  close(): void {
    this.runner.close();
  }

  async score(req: ScoreRequest): Promise<EvaluationResult> {
    const evaluator = evaluatorFor(req.taskType);
    if (!evaluator) return { ok: false, infra: false, code: Code.UnsupportedTaskType, reason: `unsupported task type ${req.taskType}` };
    // The task's constants come from the organiser's rulebook: a bad one is never the miner's fault.
    const paramProblems = taskTypeParamProblems(req.taskType, req.params ?? {});
    if (paramProblems.length > 0) return { ok: false, infra: true, code: Code.EvaluatorFailed, reason: `invalid task params: ${paramProblems.join('; ')}` };

    // The size cap is checked here too, so an oversized file never costs a process start.
    let size: number;
    try {
      const stat = await fs.promises.stat(req.modelPath);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      return { ok: false, infra: false, code: Code.ModelMissing, reason: 'model.onnx is missing or not a regular file' };
    }
    if (size > this.settings.maxModelBytes) {
      return { ok: false, infra: false, code: Code.ModelTooLarge, reason: `model.onnx is ${size} bytes; the limit is ${this.settings.maxModelBytes}` };
    }
    const modelSha256 = await sha256File(req.modelPath);

    const outcome = await this.runner.run(
      {
        modelPath: path.resolve(req.modelPath),
        artifactDir: path.dirname(path.resolve(req.modelPath)),
        taskType: req.taskType,
        testSplitPath: req.testSplitPath,
        testSetSha256: req.testSetSha256,
        provider: this.settings.provider,
        intraOpThreads: this.settings.intraOpThreads > 0 ? this.settings.intraOpThreads : os.availableParallelism(),
        batchUnits: this.settings.batchUnits,
        causalitySeed: causalitySeed(req.seed, modelSha256, req.causalityMethod ?? CAUSALITY_METHOD),
        causalityMethod: req.causalityMethod ?? CAUSALITY_METHOD,
        params: req.params ?? {},
        limits: { maxModelBytes: this.settings.maxModelBytes, maxTensorBytes: this.settings.memoryMb * 1024 * 1024, minOpset: OPSET_RANGE.min, maxOpset: OPSET_RANGE.max },
        trusted: req.trusted ?? false,
      },
      { timeoutMs: this.settings.timeoutMs, memoryMb: this.settings.memoryMb },
    );
    if (!outcome.ok) return outcome;

    const { losses } = outcome;
    const lossesBytes = encodeLosses(losses);
    await fs.promises.mkdir(req.lossesDir, { recursive: true });
    const lossesPath = path.join(req.lossesDir, `${modelSha256}.f64`);
    const tmp = `${lossesPath}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, lossesBytes);
    await fs.promises.rename(tmp, lossesPath);

    return {
      ok: true,
      score: {
        metricName: evaluator.metricName,
        metricValue: meanOf(losses),
        accuracy: outcome.correct === null ? null : outcome.correct / losses.length,
        exampleCount: losses.length,
        lossesPath,
        lossesSha256: createHash('sha256').update(lossesBytes).digest('hex'),
        modelSha256,
        evaluatorVersion: EVALUATOR_VERSION,
        executionProvider: outcome.provider,
        causality: outcome.causality,
      },
    };
  }
}

/** Sum in example order, in float64: the same losses always give the same bits. */
export function meanOf(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/**
 * Per-example losses file: float64 little-endian, one per test example in split order. On a
 * little-endian host that is the array's own bytes (one copy rather than a write per value).
 */
export function encodeLosses(losses: Float64Array): Buffer {
  if (os.endianness() === 'LE') return Buffer.from(new Uint8Array(losses.buffer, losses.byteOffset, losses.byteLength));
  const out = Buffer.alloc(losses.length * 8);
  losses.forEach((v, i) => out.writeDoubleLE(v, i * 8));
  return out;
}

export function decodeLosses(bytes: Uint8Array): Float64Array {
  if (bytes.length % 8 !== 0) throw new Error(`a losses file has a multiple of 8 bytes (got ${bytes.length})`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i += 1) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: a small model in one (the default 64 KiB took ten for a text base model).
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
