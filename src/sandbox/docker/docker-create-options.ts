import { SANDBOX_PATHS, type RunSpec } from '../run-spec';
import { entryCommand } from '../sandbox-entry';

/**
 * Pure: RunSpec -> Docker Engine API "create container" body (the shape dockerode passes through).
 * Declared structurally here so this file imports no client library.
 */
export interface DockerVolumeMount {
  Type: 'volume';
  /** Empty: an anonymous volume, removed with the container. */
  Source: '';
  Target: string;
  ReadOnly: false;
  VolumeOptions: { NoCopy: true; Labels: Record<string, string>; DriverConfig: { Name: 'local'; Options: { type: 'tmpfs'; device: 'tmpfs'; o: string } } };
}

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
    Mounts: DockerVolumeMount[];
    LogConfig: { Type: 'none'; Config: Record<string, string> };
    DeviceRequests: { Driver: string; Count: number; Capabilities: string[][] }[];
    RestartPolicy: { Name: 'no' };
    AutoRemove: false;
  };
}

/** "exec create" body: the miner's command under the sandbox entry, as the miner's user. */
export interface DockerExecOptions {
  Cmd: string[];
  User: string;
  WorkingDir: string;
  AttachStdin: false;
  AttachStdout: true;
  AttachStderr: true;
  Tty: false;
  Privileged: false;
}

const MB = 1024 * 1024;

/**
 * The container's own process only holds the sandbox open (tini + sleep, as this user): the training
 * command runs beside it as an exec, so the container, and with it the tmpfs volumes holding /output
 * and the log, outlives the command until the runner has copied the result out through the engine.
 * The miner's user cannot signal a process of another user (no CAP_KILL), so it cannot end it early.
 */
export const KEEPER_USER = { uid: 65534, gid: 65534 };
export const KEEPER_COMMAND = ['sleep', 'infinity'];

/**
 * A tmpfs the engine mounts as an anonymous volume (removed with the container). Unlike a HostConfig
 * tmpfs it is visible to the archive endpoint while the container runs; size and nr_inodes are kernel
 * limits, so neither bytes nor files can go past them, and nothing of it lands on the host's disk.
 */
function tmpfsVolume(target: string, bytes: number, inodes: number, owner: { uid: number; gid: number }, extra = ''): DockerVolumeMount {
  const o = `size=${bytes},nr_inodes=${inodes},uid=${owner.uid},gid=${owner.gid},mode=0700,nosuid,nodev${extra}`;
  return { Type: 'volume', Source: '', Target: target, ReadOnly: false, VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o } } } };
}

/** Bytes of the log tmpfs: the entry keeps two halves of the budget plus a rewrite of the tail. */
export function logVolumeBytes(logMaxBytes: number): number {
  return 2 * logMaxBytes + 64 * 1024;
}

export function buildDockerCreateOptions(spec: RunSpec, options: { seccompProfile?: string } = {}): DockerCreateOptions {
  const { limits, mounts } = spec;
  const memory = limits.memoryMb * MB;
  const tmpfs = `rw,nosuid,nodev,size=${limits.scratchMb}m,nr_inodes=${limits.maxFiles},mode=1777`;
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: KEEPER_COMMAND,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: `${KEEPER_USER.uid}:${KEEPER_USER.gid}`,
    WorkingDir: SANDBOX_PATHS.code,
    // The training command too: a worker that dies before starting it leaves it for the next one to start.
    Labels: { ...spec.labels, [EXEC_LABEL]: JSON.stringify(buildDockerExecOptions(spec)) },
    Hostname: 'sandbox',
    NetworkDisabled: true,
    StopSignal: 'SIGKILL',
    StopTimeout: 0,
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      // Crucible's seccomp profile (sandbox-images/seccomp.json, the engine takes its JSON text) when
      // configured, otherwise Docker's default profile: never "seccomp=unconfined".
      SecurityOpt: ['no-new-privileges:true', ...(options.seccompProfile ? [`seccomp=${options.seccompProfile}`] : [])],
      Privileged: false,
      // tini as PID 1 reaps the orphans the script leaves behind.
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
        { Name: 'nofile', Soft: 1024, Hard: 1024 },
        { Name: 'core', Soft: 0, Hard: 0 },
      ],
      Tmpfs: { [SANDBOX_PATHS.tmp]: tmpfs, [SANDBOX_PATHS.scratch]: tmpfs },
      Binds: [
        `${mounts.taskDir}:${SANDBOX_PATHS.task}:ro`,
        `${mounts.trainDir}:${SANDBOX_PATHS.train}:ro`,
        `${mounts.codeDir}:${SANDBOX_PATHS.code}:ro`,
      ],
      Mounts: [
        tmpfsVolume(SANDBOX_PATHS.output, limits.outputMaxBytes, limits.maxFiles, spec.user),
        tmpfsVolume(SANDBOX_PATHS.log, logVolumeBytes(limits.logMaxBytes), 16, spec.user, ',noexec'),
      ],
      // The engine stores nothing of the sandbox's streams: the keeper prints nothing and the training
      // command's output is bounded by the entry on the log tmpfs (sandbox-entry.ts).
      LogConfig: { Type: 'none', Config: {} },
      DeviceRequests: limits.gpus > 0 ? [{ Driver: '', Count: limits.gpus, Capabilities: [['gpu']] }] : [],
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
    },
  };
}

/** Label carrying the training command's exec options (no secrets: the sandbox's own command). */
export const EXEC_LABEL = 'crucible.exec';

export function buildDockerExecOptions(spec: RunSpec): DockerExecOptions {
  return {
    Cmd: entryCommand(spec.command, spec.limits.logMaxBytes),
    User: `${spec.user.uid}:${spec.user.gid}`,
    WorkingDir: SANDBOX_PATHS.code,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    Privileged: false,
  };
}
