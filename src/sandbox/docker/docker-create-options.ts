import { SANDBOX_PATHS, type RunSpec } from '../run-spec';

/**
 * Pure: RunSpec -> Docker Engine API "create container" body (the shape dockerode passes through).
 * Declared structurally here so this file imports no client library.
 */
export interface DockerCreateOptions {
  name: string;
  Image: string;
  Cmd: string[];
  Env: string[];
  User: string;
  WorkingDir: string;
  Labels: Record<string, string>;
  Hostname: string;
  NetworkDisabled: boolean;
  StopSignal: string;
  StopTimeout: number;
  AttachStdin: false;
  OpenStdin: false;
  Tty: false;
  HostConfig: {
    NetworkMode: 'none';
    ReadonlyRootfs: true;
    CapDrop: ['ALL'];
    SecurityOpt: string[];
    Privileged: false;
    Init: true;
    IpcMode: 'private';
    Memory: number;
    MemorySwap: number;
    MemorySwappiness: number;
    OomKillDisable: false;
    PidsLimit: number;
    NanoCpus: number;
    ShmSize: number;
    Ulimits: { Name: string; Soft: number; Hard: number }[];
    Tmpfs: Record<string, string>;
    Binds: string[];
    LogConfig: { Type: 'json-file'; Config: Record<string, string> };
    DeviceRequests: { Driver: string; Count: number; Capabilities: string[][] }[];
    RestartPolicy: { Name: 'no' };
    AutoRemove: false;
  };
}

const MB = 1024 * 1024;

export function buildDockerCreateOptions(spec: RunSpec): DockerCreateOptions {
  const { limits, mounts } = spec;
  const memory = limits.memoryMb * MB;
  const tmpfs = `rw,nosuid,nodev,size=${limits.scratchMb}m,mode=1777`;
  // RLIMIT_FSIZE applies to every file, scratch included: allow the larger of the two caps. The total
  // under /output is enforced separately by the executor's watcher.
  const maxFileBytes = Math.max(limits.outputMaxBytes, limits.scratchMb * MB) + 1;
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.command,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: `${spec.user.uid}:${spec.user.gid}`,
    WorkingDir: SANDBOX_PATHS.code,
    Labels: spec.labels,
    Hostname: 'sandbox',
    NetworkDisabled: true,
    StopSignal: 'SIGTERM',
    StopTimeout: limits.graceSeconds,
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      // Docker's default seccomp profile stays on: no "seccomp=unconfined" here.
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      // tini as PID 1 forwards SIGTERM to the script and reaps orphans (a bare shell as PID 1 ignores it).
      Init: true,
      IpcMode: 'private',
      Memory: memory,
      // Equal to Memory: no swap, so exhausting memory is an OOM kill, not a crawl.
      MemorySwap: memory,
      MemorySwappiness: 0,
      OomKillDisable: false,
      PidsLimit: limits.pidsLimit,
      NanoCpus: Math.round(limits.cpus * 1e9),
      ShmSize: 64 * MB,
      Ulimits: [
        { Name: 'fsize', Soft: maxFileBytes, Hard: maxFileBytes },
        { Name: 'nofile', Soft: 1024, Hard: 1024 },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      Tmpfs: { [SANDBOX_PATHS.tmp]: tmpfs, [SANDBOX_PATHS.scratch]: tmpfs },
      Binds: [
        `${mounts.taskDir}:${SANDBOX_PATHS.task}:ro`,
        `${mounts.trainDir}:${SANDBOX_PATHS.train}:ro`,
        `${mounts.codeDir}:${SANDBOX_PATHS.code}:ro`,
        `${mounts.outputDir}:${SANDBOX_PATHS.output}:rw`,
      ],
      // json-file with one file keeps only the newest max-size bytes: logs cannot fill the disk.
      LogConfig: { Type: 'json-file', Config: { 'max-size': `${Math.max(1, Math.ceil(limits.logMaxBytes / 1024))}k`, 'max-file': '1' } },
      DeviceRequests: limits.gpus > 0 ? [{ Driver: '', Count: limits.gpus, Capabilities: [['gpu']] }] : [],
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
    },
  };
}
