import { Logger } from '@nestjs/common';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RepoIntake, RepoIntakeError } from '../submissions/repo-intake/repo-intake';
import { classifyOutcome } from './classify-outcome';
import { inspectOutput, OutputWatcher } from './output-dir';
import { buildRunSpec, type RunLimits } from './run-spec';
import { SandboxInfraError, SandboxRunner, type SandboxExit } from './sandbox-runner';
import { TrainingExecutor, type TrainingHooks, type TrainingJob, type TrainingResult } from './training-executor';

export interface SandboxExecutorOptions {
  /** CRUCIBLE_SANDBOX_INSTANCE (labels every sandbox this executor starts). */
  instance: string;
  /** Per-run folders live under here: <runsDir>/<runId>/a<attempt>/{code,task,output,logs.txt}. */
  runsDir: string;
  cpuImage: string;
  gpuImage: string;
  gpusPerRun: number;
  limits: Omit<RunLimits, 'wallSeconds' | 'gpus'>;
  /** uid:gid the sandbox runs as (the image's "trainer" user). */
  user?: { uid: number; gid: number };
  outputPollMs?: number;
}

interface RunDirs {
  root: string;
  code: string;
  task: string;
  output: string;
  logPath: string;
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
      await fs.rm(dirs.root, { recursive: true, force: true });
      await fs.mkdir(dirs.code, { recursive: true });
      await fs.mkdir(dirs.task, { recursive: true });
      await fs.mkdir(dirs.output, { recursive: true });
      const inspection = await this.repos.inspect(job.repoUrl, job.commitSha);
      const taskType = typeof job.taskSpec.type === 'string' ? job.taskSpec.type : undefined;
      if (taskType && !inspection.manifest.taskTypes.includes(taskType)) {
        return this.result('miner_failed', `the repository's crucible.json does not declare task type "${taskType}"`);
      }
      entrypoint = inspection.manifest.entrypoint;
      await this.repos.checkout(job.repoUrl, job.commitSha, dirs.code);
      await fs.writeFile(path.join(dirs.task, 'task.json'), JSON.stringify(job.taskSpec, null, 2), { mode: 0o644 });
      await this.prepareOutputDir(dirs.output);
    } catch (error) {
      if (error instanceof RepoIntakeError) {
        return this.result(error.minerFault ? 'miner_failed' : 'infra_failed', `repository rejected: ${error.message}`);
      }
      return this.infraFailure(job, 'preparing the run', error);
    }

    const gpu = job.hardware === 'gpu';
    const spec = buildRunSpec({
      instance: this.options.instance,
      runId: job.runId,
      attempt: job.attempt,
      tournamentId: job.tournamentId,
      image: gpu ? this.options.gpuImage : this.options.cpuImage,
      entrypoint,
      mounts: { taskDir: dirs.task, trainDir: path.resolve(job.trainDir), codeDir: dirs.code, outputDir: dirs.output },
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
    try {
      await hooks.onStarted(this.runner.kind, ref);
    } catch (error) {
      // Unrecorded runs cannot be adopted after a restart: stop it rather than leave an orphan.
      await this.runner.cancel(ref, 0).catch(() => undefined);
      await this.runner.cleanup(ref).catch(() => undefined);
      return this.infraFailure(job, 'recording the started run', error, ref);
    }
    return this.finish(job, dirs, ref);
  }

  async locate(job: TrainingJob): Promise<{ runnerKind: string; runnerRef: string } | null> {
    const found = (await this.runner.listManaged()).find((s) => s.runId === job.runId && s.attempt === job.attempt);
    return found ? { runnerKind: this.runner.kind, runnerRef: found.ref } : null;
  }

  async adopt(job: TrainingJob, runnerKind: string, runnerRef: string): Promise<TrainingResult> {
    if (runnerKind !== this.runner.kind) {
      return this.result('infra_failed', `run was started by the ${runnerKind} driver, this worker uses ${this.runner.kind}`, {
        runnerRef,
      });
    }
    this.logger.log({ msg: 'adopting run', runId: job.runId, runnerRef });
    return this.finish(job, this.dirs(job), runnerRef);
  }

  private async finish(job: TrainingJob, dirs: RunDirs, ref: string): Promise<TrainingResult> {
    const limits = this.options.limits;
    const watcher = new OutputWatcher(
      dirs.output,
      limits.outputMaxBytes,
      () => {
        this.logger.warn({ msg: 'output over cap; stopping run', runId: job.runId, runnerRef: ref });
        void this.runner.cancel(ref, 0).catch(() => undefined);
      },
      this.options.outputPollMs,
    ).start();
    let exit: SandboxExit;
    try {
      exit = await this.runner.wait(ref);
    } catch (error) {
      watcher.stop();
      await this.runner.cancel(ref, 0).catch(() => undefined);
      await this.runner.cleanup(ref).catch(() => undefined);
      return this.infraFailure(job, 'waiting for the sandbox', error, ref);
    } finally {
      watcher.stop();
    }
    // A stop we asked for because of the output cap is the miner's doing, not a cancellation.
    if (watcher.exceeded) exit = { ...exit, cancelled: false };

    let logPath: string | null = dirs.logPath;
    try {
      await this.runner.logs(ref, dirs.logPath, limits.logMaxBytes);
    } catch (error) {
      logPath = null;
      this.logger.warn({ msg: 'could not collect logs', runId: job.runId, runnerRef: ref, error: String(error) });
    }
    try {
      await this.runner.cleanup(ref);
    } catch (error) {
      this.logger.warn({ msg: 'cleanup failed; the reconciler will retry', runId: job.runId, runnerRef: ref, error: String(error) });
    }

    const facts = await inspectOutput(dirs.output, watcher.exceeded);
    const { outcome, reason } = classifyOutcome(exit, facts, {
      wallSeconds: job.timeLimitSeconds,
      memoryMb: limits.memoryMb,
      outputMaxBytes: limits.outputMaxBytes,
    });
    await fs.rm(dirs.code, { recursive: true, force: true }).catch(() => undefined);
    this.logger.log({ msg: 'run finished', runId: job.runId, runnerRef: ref, outcome, exitCode: exit.exitCode });
    return {
      outcome,
      reason,
      exitCode: exit.exitCode,
      modelPath: outcome === 'succeeded' ? path.join(dirs.output, 'model.onnx') : null,
      imageDigest: exit.imageDigest,
      logPath,
      runnerKind: this.runner.kind,
      runnerRef: ref,
    };
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
    const safe = job.runId.replace(/[^A-Za-z0-9_.-]/g, '_');
    const root = path.join(this.options.runsDir, safe, `a${job.attempt}`);
    return {
      root,
      code: path.join(root, 'code'),
      task: path.join(root, 'task'),
      output: path.join(root, 'output'),
      logPath: path.join(root, 'logs.txt'),
    };
  }

  private infraFailure(job: TrainingJob, during: string, error: unknown, ref?: string): TrainingResult {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error({ msg: `infra failure while ${during}`, runId: job.runId, runnerRef: ref, error: message });
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
