import { logCleanupFailure } from '../common/cleanup-failure';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pausePoint } from '../common/pause-point';
import { isGpuClass } from '../scoring/task-type-draw';
import { RepoIntake } from '../repo-intake/repo-intake';
import { RepoIntakeError } from '../repo-intake/repo-intake.errors';
import { classifyOutcome } from './classify-outcome';
import { forceRemove } from './output-dir';
import { buildRunSpec, type RunLimits } from './run-spec';
import { SandboxInfraError } from './sandbox.errors';
import { SandboxRunner, type CollectedOutput, type SandboxExit } from './sandbox-runner';
import { TrainingExecutor, type TrainingHooks, type TrainingJob, type TrainingResult } from './training-executor';

export interface SandboxExecutorOptions {
  /** CRUCIBLE_SANDBOX_INSTANCE (labels every sandbox this executor starts). */
  instance: string;
  /** Per-run folders live under here: <runsDir>/<digest of run and attempt>/{code,task,output,model.onnx,logs.txt}. */
  runsDir: string;
  cpuImage: string;
  gpuImage: string;
  gpusPerRun: number;
  limits: Omit<RunLimits, 'wallSeconds' | 'gpus'>;
  /** uid:gid the sandbox runs as (the image's "trainer" user). */
  user?: { uid: number; gid: number };
}

interface RunDirs {
  root: string;
  code: string;
  task: string;
  /** The training split, hard-linked (copied across filesystems) so its mount source names no task. */
  train: string;
  output: string;
  modelPath: string;
  logPath: string;
}

/** Recreates a directory tree of regular files under dest with hard links (copies across filesystems). */
async function linkTree(source: string, dest: string): Promise<void> {
  await fs.mkdir(dest, { recursive: true });
  for (const entry of await fs.readdir(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) await linkTree(from, to);
    else if (entry.isFile()) await fs.link(from, to).catch(() => fs.copyFile(from, to));
  }
}

/** A run's folder under the runs dir: a digest of (run, attempt), so mount sources name no id. */
export function runDirName(runId: string, attempt: number): string {
  return createHash('sha256').update(`${runId}\0${attempt}`).digest('hex').slice(0, 24);
}

/** The fields of /task/task.json the miner contract lists; nothing else (ids, dataset names) goes in. */
export const TASK_JSON_FIELDS = ['type', 'timeLimitSeconds', 'hyperparameters', 'seed', 'trainFiles', 'params'] as const;

export function sandboxTaskSpec(spec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(TASK_JSON_FIELDS.filter((k) => spec[k] !== undefined).map((k) => [k, spec[k]]));
}

/**
 * TrainingExecutor on any SandboxRunner: checkout, task spec, run, classify, validate, clean up.
 * Every failure ends in a TrainingResult; it never throws for engine trouble (that is infra_failed).
 */
export class SandboxTrainingExecutor extends TrainingExecutor {
  private readonly logger = new Logger(SandboxTrainingExecutor.name);

  constructor(
    private readonly runner: SandboxRunner,
    private readonly repos: RepoIntake,
    private readonly options: SandboxExecutorOptions,
  ) {
    super();
  }

  async execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    const dirs = this.dirs(job);
    let entrypoint: string | string[];
    try {
      // Docker would create a missing bind source as an empty root-owned dir: refuse instead.
      if (!(await fs.stat(job.trainDir).then((s) => s.isDirectory(), () => false))) {
        throw new Error(`training split ${job.trainDir} is not a directory`);
      }
      await forceRemove(dirs.root);
      await fs.mkdir(dirs.code, { recursive: true });
      await fs.mkdir(dirs.task, { recursive: true });
      await fs.mkdir(dirs.output, { recursive: true });
      await linkTree(path.resolve(job.trainDir), dirs.train);
      // A task's pretrained base model (text tasks) sits beside its training split: /task/base in the sandbox.
      const baseDir = path.join(path.dirname(path.resolve(job.trainDir)), 'base');
      if (await fs.stat(baseDir).then((s) => s.isDirectory(), () => false)) await linkTree(baseDir, path.join(dirs.task, 'base'));
      const inspection = await this.repos.inspect(job.repoUrl, job.commitSha);
      const taskType = typeof job.taskSpec.type === 'string' ? job.taskSpec.type : undefined;
      if (taskType && !inspection.manifest.taskTypes.includes(taskType)) {
        await forceRemove(dirs.root);
        return this.result('miner_failed', `the repository's crucible.json does not declare task type "${taskType}"`);
      }
      entrypoint = inspection.manifest.entrypoint;
      await this.repos.checkout(job.repoUrl, job.commitSha, dirs.code);
      await fs.writeFile(path.join(dirs.task, 'task.json'), JSON.stringify(sandboxTaskSpec(job.taskSpec), null, 2), { mode: 0o644 });
      await this.prepareOutputDir(dirs.output);
    } catch (error) {
      // Nothing of a run that never started stays on the host.
      await forceRemove(dirs.root).catch(logCleanupFailure(this.logger, 'removing the run folder', { runId: job.runId }));
      if (error instanceof RepoIntakeError) {
        return this.result(error.minerFault ? 'miner_failed' : 'infra_failed', `repository rejected: ${error.message}`);
      }
      return this.infraFailure(job, 'preparing the run', error);
    }

    // GPUs by hardware class; the image by the tournament type's choice recorded on the task (else by hardware).
    const gpu = isGpuClass(job.hardware);
    const image = job.taskSpec.sandboxImage === 'gpu' || (job.taskSpec.sandboxImage === undefined && gpu) ? this.options.gpuImage : this.options.cpuImage;
    const spec = buildRunSpec({
      instance: this.options.instance,
      runId: job.runId,
      attempt: job.attempt,
      tournamentId: job.tournamentId,
      image,
      entrypoint,
      mounts: { taskDir: dirs.task, trainDir: dirs.train, codeDir: dirs.code, outputDir: dirs.output },
      limits: { ...this.options.limits, gpus: gpu ? this.options.gpusPerRun : 0, wallSeconds: job.timeLimitSeconds },
      startedAtMs: Date.now(),
      user: this.options.user,
    });

    let ref: string;
    try {
      ref = (await this.runner.start(spec)).ref;
    } catch (error) {
      return this.infraFailure(job, 'starting the sandbox', error);
    }
    pausePoint('container-created');
    try {
      await hooks.onStarted(this.runner.kind, ref);
    } catch (error) {
      // Unrecorded runs cannot be adopted after a restart: stop it rather than leave an orphan.
      await this.runner.cancel(ref, 0).catch(logCleanupFailure(this.logger, 'stopping the sandbox', { runId: job.runId, runnerRef: ref }));
      await this.runner.cleanup(ref).catch(logCleanupFailure(this.logger, 'removing the sandbox', { runId: job.runId, runnerRef: ref }));
      return this.infraFailure(job, 'recording the started run', error, ref);
    }
    pausePoint('training');
    return this.finish(job, dirs, ref, hooks);
  }

  async locate(job: TrainingJob): Promise<{ runnerKind: string; runnerRef: string } | null> {
    const found = (await this.runner.listManaged()).find((s) => s.runId === job.runId && s.attempt === job.attempt);
    return found ? { runnerKind: this.runner.kind, runnerRef: found.ref } : null;
  }

  async adopt(job: TrainingJob, runnerKind: string, runnerRef: string, hooks: Pick<TrainingHooks, 'onEnded'> = {}): Promise<TrainingResult> {
    if (runnerKind !== this.runner.kind) {
      return this.result('infra_failed', `run was started by the ${runnerKind} driver, this worker uses ${this.runner.kind}`, {
        runnerRef,
      });
    }
    this.logger.log({ runId: job.runId, runnerRef }, 'adopting run');
    try {
      await this.runner.ensureCommandStarted(runnerRef);
    } catch (error) {
      return this.infraFailure(job, 'resuming the sandbox', error, runnerRef);
    }
    return this.finish(job, this.dirs(job), runnerRef, hooks);
  }

  private async finish(job: TrainingJob, dirs: RunDirs, ref: string, hooks: Pick<TrainingHooks, 'onEnded'>): Promise<TrainingResult> {
    const limits = this.options.limits;
    let exit: SandboxExit;
    let output: CollectedOutput;
    try {
      exit = await this.runner.wait(ref);
      output = await this.runner.collect(ref, {
        modelPath: dirs.modelPath,
        logPath: dirs.logPath,
        modelMaxBytes: limits.outputMaxBytes,
        logMaxBytes: limits.logMaxBytes,
      });
    } catch (error) {
      await this.runner.cancel(ref, 0).catch(logCleanupFailure(this.logger, 'stopping the sandbox', { runId: job.runId, runnerRef: ref }));
      await this.runner.cleanup(ref).catch(logCleanupFailure(this.logger, 'removing the sandbox', { runId: job.runId, runnerRef: ref }));
      await this.removeInputs(dirs);
      return this.infraFailure(job, 'waiting for the sandbox', error, ref);
    }
    pausePoint('container-exited');
    const { outcome, reason } = classifyOutcome(exit, output, {
      wallSeconds: job.timeLimitSeconds,
      memoryMb: limits.memoryMb,
      outputMaxBytes: limits.outputMaxBytes,
      maxFiles: limits.maxFiles,
    });
    if (outcome !== 'succeeded') await fs.rm(dirs.modelPath, { force: true }).catch(logCleanupFailure(this.logger, 'removing the unscored model', { runId: job.runId }));
    const result: TrainingResult = {
      outcome,
      reason,
      exitCode: exit.exitCode,
      modelPath: outcome === 'succeeded' ? dirs.modelPath : null,
      imageDigest: exit.imageDigest,
      logPath: output.logSaved ? dirs.logPath : null,
      runnerKind: this.runner.kind,
      runnerRef: ref,
    };
    // The end is recorded while the sandbox still exists: evidence goes only once the next step has it.
    try {
      await hooks.onEnded?.(result);
    } catch (error) {
      return this.infraFailure(job, 'recording the end of the run', error, ref);
    }
    try {
      await this.runner.cleanup(ref);
    } catch (error) {
      this.logger.warn({ runId: job.runId, runnerRef: ref, error: String(error) }, 'cleanup failed; the reconciler will retry');
    }
    pausePoint('container-removed');
    await this.removeInputs(dirs);
    this.logger.log({ runId: job.runId, runnerRef: ref, outcome, exitCode: exit.exitCode }, 'run finished');
    return result;
  }

  /** What the sandbox read (repository, task spec) and the shared output dir: only the model and log stay. */
  private async removeInputs(dirs: RunDirs): Promise<void> {
    for (const dir of [dirs.code, dirs.task, dirs.train, dirs.output]) await forceRemove(dir);
  }

  /** The sandbox user must write /output, and nothing else of ours. */
  private async prepareOutputDir(dir: string): Promise<void> {
    const user = this.options.user ?? { uid: 1000, gid: 1000 };
    try {
      await fs.chown(dir, user.uid, user.gid);
      await fs.chmod(dir, 0o755);
    } catch {
      // Not root (developer machine): fall back to a world-writable dir.
      await fs.chmod(dir, 0o777);
    }
  }

  private dirs(job: TrainingJob): RunDirs {
    // Neutral names: mount sources show in the sandbox's /proc/self/mountinfo, so no run or task id.
    const root = path.join(this.options.runsDir, runDirName(job.runId, job.attempt));
    return {
      root,
      code: path.join(root, 'code'),
      task: path.join(root, 'task'),
      train: path.join(root, 'train'),
      output: path.join(root, 'output'),
      modelPath: path.join(root, 'model.onnx'),
      logPath: path.join(root, 'logs.txt'),
    };
  }

  private infraFailure(job: TrainingJob, during: string, error: unknown, ref?: string): TrainingResult {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error({ runId: job.runId, runnerRef: ref, error: message }, `infra failure while ${during}`);
    const reason = error instanceof SandboxInfraError ? message : `${during}: ${message}`;
    return this.result('infra_failed', `validator infrastructure failed (${reason}); the run will be retried`, { runnerRef: ref });
  }

  private result(outcome: TrainingResult['outcome'], reason: string, extra: { runnerRef?: string } = {}): TrainingResult {
    return {
      outcome,
      reason,
      exitCode: null,
      modelPath: null,
      imageDigest: null,
      logPath: null,
      runnerKind: this.runner.kind,
      runnerRef: extra.runnerRef ?? null,
    };
  }
}
