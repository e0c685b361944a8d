import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvReader } from '../env-reader';
import { readRepoIntakeConfig, type RepoIntakeConfig } from './repo-intake.config';

export type SandboxDriver = 'docker' | 'kubernetes';

export interface DockerSandboxConfig {
  socketPath: string;
}

export interface KubernetesSandboxConfig {
  namespace: string;
  kubeconfig?: string;
  runtimeClassName?: string;
  nodeSelector: Record<string, string>;
  artifactVolumeClaim: string;
  jobTtlSeconds: number;
  /** "key[=value]:Effect" entries, e.g. for dedicated GPU nodes. */
  tolerations: { key: string; value?: string; effect: string }[];
  /** How often the Job adapter polls Job/Pod status. */
  pollMs: number;
  /** Pods in their own user namespace (`hostUsers: false`). */
  userNamespaces: boolean;
}

interface SandboxLimits {
  /** Labels this deployment's sandboxes; the restart reconciler only touches its own instance's. */
  instance: string;
  image: string;
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  outputMaxMb: number;
  logMaxKb: number;
  gracePeriodSeconds: number;
  /** Size of the tmpfs scratch space (/tmp and /scratch) inside each sandbox. */
  scratchMb: number;
  /** Files and directories /output and each scratch mount can hold (tmpfs nr_inodes). */
  maxFiles: number;
  /** Seccomp profile file for Docker sandboxes; null: the engine's default profile. */
  seccompProfile: string | null;
  /** Image and GPU count used when a run's hardware class is "gpu". */
  gpuImage: string;
  gpusPerRun: number;
  repo: RepoIntakeConfig;
  docker: DockerSandboxConfig;
}

/** The Kubernetes settings exist exactly when the Kubernetes driver is chosen. */
export type SandboxConfig = SandboxLimits &
  ({ driver: 'docker'; kubernetes?: undefined } | { driver: 'kubernetes'; kubernetes: KubernetesSandboxConfig });

const TOLERATION = /^([^=:\s]+)(?:=([^:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

function tolerations(r: EnvReader): KubernetesSandboxConfig['tolerations'] {
  const raw = r.str('CRUCIBLE_K8S_TOLERATIONS');
  if (raw === undefined) return [];
  const out: KubernetesSandboxConfig['tolerations'] = [];
  for (const entry of raw.split(',')) {
    const match = TOLERATION.exec(entry.trim());
    if (!match) {
      r.problem('CRUCIBLE_K8S_TOLERATIONS must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute, comma-separated');
      return [];
    }
    out.push({ key: match[1], value: match[2] || undefined, effect: match[3] });
  }
  return out;
}

function readKubernetesConfig(r: EnvReader): KubernetesSandboxConfig {
  const namespace = r.str('CRUCIBLE_K8S_NAMESPACE');
  r.require('CRUCIBLE_K8S_NAMESPACE', namespace, 'when CRUCIBLE_SANDBOX_DRIVER=kubernetes');
  const artifactVolumeClaim = r.str('CRUCIBLE_K8S_ARTIFACT_PVC');
  r.require('CRUCIBLE_K8S_ARTIFACT_PVC', artifactVolumeClaim, 'when CRUCIBLE_SANDBOX_DRIVER=kubernetes');
  return {
    namespace: namespace ?? '',
    kubeconfig: r.str('KUBECONFIG'),
    runtimeClassName: r.str('CRUCIBLE_K8S_RUNTIME_CLASS'),
    nodeSelector: r.keyValues('CRUCIBLE_K8S_NODE_SELECTOR'),
    artifactVolumeClaim: artifactVolumeClaim ?? '',
    jobTtlSeconds: r.int('CRUCIBLE_K8S_JOB_TTL_SECONDS', 3600, 0, 7 * 86400),
    tolerations: tolerations(r),
    pollMs: r.int('CRUCIBLE_K8S_POLL_MS', 2000, 50, 60_000),
    userNamespaces: r.bool('CRUCIBLE_K8S_USER_NAMESPACES', true),
  };
}

/** The profile shipped in sandbox-images/, found from the package root: the nearest folder above this file that has it (src/ or dist/src/). */
export function shippedSeccompProfile(): string | null {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'sandbox-images', 'seccomp.json');
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

/** "crucible": the profile shipped in sandbox-images/; "default": the engine's own; else a file path. */
function seccompProfile(r: EnvReader): string | null {
  const choice = r.str('CRUCIBLE_SANDBOX_SECCOMP', 'crucible');
  if (choice === 'default') return null;
  if (choice === 'crucible') return shippedSeccompProfile();
  return path.resolve(choice);
}

export function readSandboxConfig(r: EnvReader): SandboxConfig {
  const driver = r.oneOf<SandboxDriver>('CRUCIBLE_SANDBOX_DRIVER', ['docker', 'kubernetes'], 'docker');
  const limits: SandboxLimits = {
    instance: r.str('CRUCIBLE_SANDBOX_INSTANCE', 'default'),
    image: r.str('CRUCIBLE_SANDBOX_IMAGE', 'crucible/trainer-cpu:1'),
    memoryMb: r.int('CRUCIBLE_SANDBOX_MEMORY_MB', 2048, 64, 1024 * 1024),
    cpus: r.num('CRUCIBLE_SANDBOX_CPUS', 1, 0.1, 256),
    pidsLimit: r.int('CRUCIBLE_SANDBOX_PIDS', 256, 16, 65536),
    outputMaxMb: r.int('CRUCIBLE_SANDBOX_OUTPUT_MAX_MB', 256, 1, 1024 * 1024),
    logMaxKb: r.int('CRUCIBLE_SANDBOX_LOG_MAX_KB', 1024, 16, 1024 * 1024),
    gracePeriodSeconds: r.int('CRUCIBLE_SANDBOX_GRACE_SECONDS', 10, 0, 3600),
    scratchMb: r.int('CRUCIBLE_SANDBOX_SCRATCH_MB', 512, 16, 1024 * 1024),
    maxFiles: r.int('CRUCIBLE_SANDBOX_MAX_FILES', 4096, 16, 1024 * 1024),
    seccompProfile: seccompProfile(r),
    gpuImage: r.str('CRUCIBLE_SANDBOX_GPU_IMAGE', 'crucible/trainer-cuda:1'),
    gpusPerRun: r.int('CRUCIBLE_SANDBOX_GPUS_PER_RUN', 1, 0, 64),
    repo: readRepoIntakeConfig(r),
    docker: { socketPath: r.str('DOCKER_SOCKET', '/var/run/docker.sock') },
  };
  return driver === 'kubernetes' ? { ...limits, driver, kubernetes: readKubernetesConfig(r) } : { ...limits, driver };
}
