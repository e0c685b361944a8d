import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { EvaluationResult, PreparedTaskData, TaskDataRequest } from '../../src/evaluation/task-data';
import { TaskDataService } from '../../src/evaluation/task-data';
import type { RunOutcome } from '../../src/runs/run-state';
import { TrainingExecutor, TrainingHooks, TrainingJob, TrainingResult } from '../../src/sandbox/training-executor';

/** How a fake miner behaves: its model's loss, or a failure. */
export type Behaviour = { loss: number } | { outcome: Exclude<RunOutcome, 'succeeded'> };

interface Container {
  job: TrainingJob;
  finished: Promise<void>;
  finish: () => void;
}

/**
 * An instant sandbox: "containers" live in this object (like Docker's, they survive a worker
 * restart), finish at once or when released, and count how often each run was started.
 */
export class InMemoryTrainingExecutor extends TrainingExecutor {
  readonly starts = new Map<string, number>();
  readonly containers = new Map<string, Container>();
  autoFinish = true;

  /** `holds`: jobs whose container keeps running until releaseAll(), whatever autoFinish says. */
  constructor(
    private readonly behaviour: (job: TrainingJob) => Behaviour,
    private readonly holds: (job: TrainingJob) => boolean = () => false,
  ) {
    super();
  }

  async execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    this.starts.set(job.runId, (this.starts.get(job.runId) ?? 0) + 1);
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const ref = `mem-${job.runId}`;
    this.containers.set(ref, { job, finished, finish });
    await hooks.onStarted('memory', ref);
    if (this.autoFinish && !this.holds(job)) finish();
    return this.wait(ref);
  }

  async locate(job: TrainingJob): Promise<{ runnerKind: string; runnerRef: string } | null> {
    const ref = `mem-${job.runId}`;
    return this.containers.has(ref) ? { runnerKind: 'memory', runnerRef: ref } : null;
  }

  async adopt(_job: TrainingJob, _kind: string, ref: string): Promise<TrainingResult> {
    if (!this.containers.has(ref)) return { ...empty(ref), outcome: 'infra_failed', reason: 'container vanished' };
    return this.wait(ref);
  }

  /** Lets every held container finish. */
  releaseAll(): void {
    for (const c of this.containers.values()) c.finish();
  }

  private async wait(ref: string): Promise<TrainingResult> {
    const c = this.containers.get(ref)!;
    await c.finished;
    const b = this.behaviour(c.job);
    if ('outcome' in b) return { ...empty(ref), outcome: b.outcome, reason: `fake ${b.outcome}`, exitCode: 1 };
    return { ...empty(ref), outcome: 'succeeded', reason: 'ok', exitCode: 0, modelPath: `mem:${b.loss}` };
  }
}

function empty(ref: string): TrainingResult {
  return { outcome: 'succeeded', reason: '', exitCode: null, modelPath: null, imageDigest: 'sha256:fake', logPath: null, runnerKind: 'memory', runnerRef: ref };
}

/** Scores "mem:<loss>" models: per-example losses are the loss plus a small deterministic wobble. */
export class FakeTaskDataService extends TaskDataService {
  readonly examples = 64;
  constructor(private readonly dir: string) {
    super();
    fs.mkdirSync(dir, { recursive: true });
  }

  async discard(): Promise<void> {}

  async preparedTasks(): Promise<Array<{ taskId: string; writtenAtMs: number }>> {
    return [];
  }

  /** Instant models have no repository to scan. */
  async checkContamination(): Promise<null> {
    return null;
  }

  async prepare(req: TaskDataRequest): Promise<PreparedTaskData> {
    const trainDir = path.join(this.dir, req.taskId, 'train');
    fs.mkdirSync(trainDir, { recursive: true });
    return { trainDir, seedCommitment: sha(req.seed), testSetCommitment: sha(`test:${req.seed}`), specHints: { vocabSize: 256 } };
  }

  async evaluate(req: TaskDataRequest, modelPath: string): Promise<EvaluationResult> {
    const loss = Number(modelPath.replace(/^mem:/, ''));
    if (!Number.isFinite(loss)) return { ok: false, infra: false, code: 'MODEL_INVALID', reason: 'not a model' };
    const losses = new Float64Array(this.examples);
    for (let i = 0; i < losses.length; i++) losses[i] = loss + ((i % 7) - 3) * 0.001;
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const file = path.join(this.dir, req.taskId, `${sha(modelPath).slice(0, 16)}.f64`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = Buffer.from(losses.buffer);
    fs.writeFileSync(file, bytes);
    return {
      ok: true,
      score: {
        metricName: 'cross_entropy_nats',
        metricValue: mean,
        accuracy: null,
        exampleCount: losses.length,
        lossesPath: file,
        lossesSha256: sha(bytes),
        modelSha256: sha(modelPath),
        evaluatorVersion: 'fake-1',
        executionProvider: 'cpu',
        causality: null,
      },
    };
  }

  async evaluateBaseline(req: TaskDataRequest): Promise<EvaluationResult> {
    return this.evaluate(req, 'mem:5.545');
  }

  async readLosses(lossesPath: string): Promise<Float64Array> {
    const buf = fs.readFileSync(lossesPath);
    return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }
}

function sha(x: string | Buffer): string {
  return createHash('sha256').update(x).digest('hex');
}

/** Instant "training" that leaves a real model.onnx (chosen per job), scored for real by the ONNX evaluator. */
export class ModelFileExecutor extends TrainingExecutor {
  constructor(
    private readonly dir: string,
    private readonly modelFor: (job: TrainingJob) => Uint8Array,
  ) {
    super();
  }

  async execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    await hooks.onStarted('memory', job.runId);
    const out = path.join(this.dir, job.runId);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'model.onnx'), this.modelFor(job));
    return { ...empty(job.runId), outcome: 'succeeded', reason: 'ok', exitCode: 0, modelPath: path.join(out, 'model.onnx') };
  }

  async locate(): Promise<null> {
    return null;
  }

  async adopt(job: TrainingJob): Promise<TrainingResult> {
    return { ...empty(job.runId), outcome: 'infra_failed', reason: 'an instant run cannot be adopted' };
  }
}
