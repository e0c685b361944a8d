import { Module } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { RepoIntake } from '../repo-intake/repo-intake';
import { RepoIntakeModule } from '../repo-intake/repo-intake.module';
import { SandboxReconciler } from './sandbox-reconciler';
import { SandboxRunner } from './sandbox-runner';
import { SandboxTrainingExecutor } from './sandbox-training-executor';
import { TrainingExecutor } from './training-executor';

/**
 * Picks the SandboxRunner adapter by CRUCIBLE_SANDBOX_DRIVER; an unknown value is a boot error.
 * Each driver's client (dockerode, @kubernetes/client-node) is loaded only when it is the one chosen,
 * and only by the worker (the API role never imports this module).
 */
export async function createSandboxRunner(config: AppConfig): Promise<SandboxRunner> {
  const { sandbox } = config;
  switch (sandbox.driver) {
    case 'docker': {
      const { DockerSandboxRunner } = await import('./docker/docker-sandbox-runner');
      return DockerSandboxRunner.fromSocket(sandbox.docker.socketPath, sandbox.instance, {
        seccompProfile: sandbox.seccompProfile ? fs.readFileSync(sandbox.seccompProfile, 'utf8') : undefined,
      });
    }
    case 'kubernetes': {
      const { KubernetesSandboxRunner } = await import('./kubernetes/kubernetes-sandbox-runner');
      return KubernetesSandboxRunner.fromConfig(sandbox.kubernetes, config.dataDir, sandbox.instance);
    }
    default:
      return unknownDriver(sandbox, config.sandbox.driver);
  }
}

/** Unreachable while the switch above covers every driver loadConfig accepts (`never` keeps it exhaustive). */
function unknownDriver(_unchosen: never, driver: string): never {
  throw new Error(`unknown sandbox driver "${driver}"`);
}

export function createTrainingExecutor(config: AppConfig, runner: SandboxRunner, repos: RepoIntake): TrainingExecutor {
  const s = config.sandbox;
  return new SandboxTrainingExecutor(runner, repos, {
    instance: s.instance,
    runsDir: path.join(config.dataDir, 'runs'),
    cpuImage: s.image,
    gpuImage: s.gpuImage,
    gpusPerRun: s.gpusPerRun,
    limits: {
      memoryMb: s.memoryMb,
      cpus: s.cpus,
      pidsLimit: s.pidsLimit,
      scratchMb: s.scratchMb,
      maxFiles: s.maxFiles,
      outputMaxBytes: s.outputMaxMb * 1024 * 1024,
      logMaxBytes: s.logMaxKb * 1024,
      graceSeconds: s.gracePeriodSeconds,
    },
  });
}

/**
 * The execution layer: TrainingExecutor (what the tournament engine calls), SandboxRunner (driver
 * chosen by config) and SandboxReconciler (restart adoption); repositories come from the process's
 * one RepoIntakeModule. Needs the global AppConfig.
 */
@Module({
  imports: [RepoIntakeModule],
  providers: [
    { provide: SandboxRunner, useFactory: createSandboxRunner, inject: [AppConfig] },
    { provide: TrainingExecutor, useFactory: createTrainingExecutor, inject: [AppConfig, SandboxRunner, RepoIntake] },
    { provide: SandboxReconciler, useFactory: (runner: SandboxRunner) => new SandboxReconciler(runner), inject: [SandboxRunner] },
  ],
  exports: [TrainingExecutor, SandboxRunner, SandboxReconciler, RepoIntakeModule],
})
export class SandboxModule {}
