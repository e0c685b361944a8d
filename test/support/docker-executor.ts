import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerSandboxRunner } from '../../src/sandbox/docker/docker-sandbox-runner';
import { SandboxTrainingExecutor, type SandboxExecutorOptions } from '../../src/sandbox/sandbox-training-executor';
import { GitRepoIntake } from '../../src/repo-intake/git-repo-intake';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { TRAINER_IMAGE } from './docker-sandbox';

export const SECCOMP_PROFILE = path.resolve(__dirname, '../../sandbox-images/seccomp.json');

/** Small limits so the hostile examples hit them fast on a 2-core machine. */
export const TEST_LIMITS = {
  memoryMb: 512,
  cpus: 1,
  pidsLimit: 64,
  scratchMb: 64,
  maxFiles: 512,
  outputMaxBytes: 8 * 1024 * 1024,
  logMaxBytes: 64 * 1024,
  graceSeconds: 2,
};

/**
 * instance scopes listing and reconciliation: other suites share the engine and reconcile their own
 * instance's sandboxes at startup, so each suite uses its own.
 */
export function makeDockerExecutor(
  root: string,
  instance: string,
  overrides: Partial<SandboxExecutorOptions> & { socketPath?: string } = {},
): { executor: SandboxTrainingExecutor; runner: DockerSandboxRunner } {
  const runner = DockerSandboxRunner.fromSocket(overrides.socketPath ?? process.env.DOCKER_SOCKET ?? '/var/run/docker.sock', instance, {
    seccompProfile: fs.readFileSync(SECCOMP_PROFILE, 'utf8'),
  });
  const repos = new GitRepoIntake({
    cacheDir: path.join(root, 'repo-cache'),
    allowInsecureSchemes: true,
    maxRepoBytes: 5 * 1024 * 1024,
    timeoutMs: 30_000,
  });
  const executor = new SandboxTrainingExecutor(runner, repos, {
    instance,
    runsDir: path.join(root, 'runs'),
    cpuImage: TRAINER_IMAGE,
    gpuImage: 'crucible/trainer-cuda:1',
    gpusPerRun: 1,
    limits: TEST_LIMITS,
    ...overrides,
  });
  return { executor, runner };
}

export function makeJob(runId: string, repo: { url: string; sha: string }, trainDir: string, extra: Partial<TrainingJob> = {}): TrainingJob {
  return {
    runId,
    tournamentId: 'tour-test',
    taskId: 'task-test',
    entrantId: `entrant-${runId}`,
    attempt: 1,
    repoUrl: repo.url,
    commitSha: repo.sha,
    taskSpec: { type: 'causal-lm', hyperparameters: { steps: 40, width: 32, seqLen: 32, batchSize: 16 } },
    trainDir,
    timeLimitSeconds: 60,
    hardware: 'cpu',
    ...extra,
  };
}
