/**
 * What one sandboxed training run needs, independent of the engine that runs it. Built by pure code
 * from a TrainingJob plus config; the Docker and Kubernetes builders turn it into engine objects.
 */
export const SANDBOX_LABELS = {
  managed: 'crucible.managed',
  /** Which Crucible deployment owns it: reconcilers of other instances on the same engine leave it alone. */
  instance: 'crucible.instance',
  runId: 'crucible.run-id',
  attempt: 'crucible.attempt',
  tournamentId: 'crucible.tournament-id',
  /** Epoch milliseconds at which the run is stopped (lets an adopting worker keep the same deadline). */
  deadline: 'crucible.deadline-ms',
  grace: 'crucible.grace-s',
} as const;

/** Paths inside the sandbox (the miner contract, DESIGN.md). */
export const SANDBOX_PATHS = {
  task: '/task',
  train: '/data/train',
  output: '/output',
  code: '/workspace',
  scratch: '/scratch',
  tmp: '/tmp',
  /** Where the sandbox entry keeps the bounded log (see sandbox-entry.ts). */
  log: '/log',
} as const;

export interface RunLimits {
  memoryMb: number;
  cpus: number;
  pidsLimit: number;
  gpus: number;
  /** Size of each tmpfs scratch mount (/tmp, /scratch). */
  scratchMb: number;
  /** Size of the /output filesystem (a kernel limit: writes past it fail with ENOSPC). */
  outputMaxBytes: number;
  /** Files and directories /output and each scratch mount can hold (tmpfs nr_inodes). */
  maxFiles: number;
  logMaxBytes: number;
  wallSeconds: number;
  graceSeconds: number;
}

export interface RunMounts {
  /** Host dir holding task.json (read-only). */
  taskDir: string;
  /** Host dir of the training split (read-only). */
  trainDir: string;
  /** Host dir of the checked-out repository (read-only). */
  codeDir: string;
  /**
   * Host dir for output on engines that exchange it through a shared volume (Kubernetes). The Docker
   * runner keeps /output on a bounded tmpfs inside the engine and copies the model out instead.
   */
  outputDir: string;
}

export interface RunSpec {
  runId: string;
  attempt: number;
  tournamentId: string;
  /** Engine object name (container / Job): stable per (run, attempt). */
  name: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  /** "uid:gid" the process runs as; never root. */
  user: { uid: number; gid: number };
  mounts: RunMounts;
  limits: RunLimits;
  /** Epoch ms; the engine sends SIGTERM here, then kills after the grace period. */
  deadlineMs: number;
  labels: Record<string, string>;
}

export interface RunSpecInput {
  /** CRUCIBLE_SANDBOX_INSTANCE: scopes labels, listing and reconciliation to one deployment. */
  instance: string;
  runId: string;
  attempt: number;
  tournamentId: string;
  image: string;
  entrypoint: string | string[];
  mounts: RunMounts;
  limits: RunLimits;
  startedAtMs: number;
  user?: { uid: number; gid: number };
}

/** Docker names and Kubernetes object names: lowercase alnum and '-', at most 63 chars. */
export function sandboxName(runId: string, attempt: number): string {
  const clean = runId.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  return `crucible-run-${clean}`.slice(0, 55).replace(/-$/, '') + `-a${attempt}`;
}

/** A string entrypoint is a script in the repo: Python scripts run with python3, others with sh. */
export function entrypointCommand(entrypoint: string | string[]): string[] {
  if (Array.isArray(entrypoint)) return [...entrypoint];
  return entrypoint.endsWith('.py') ? ['python3', entrypoint] : ['/bin/sh', entrypoint];
}

export function buildRunSpec(input: RunSpecInput): RunSpec {
  if (!Number.isInteger(input.limits.wallSeconds) || input.limits.wallSeconds <= 0) {
    throw new Error(`wall time must be a positive integer (got ${input.limits.wallSeconds})`);
  }
  const deadlineMs = input.startedAtMs + input.limits.wallSeconds * 1000;
  return {
    runId: input.runId,
    attempt: input.attempt,
    tournamentId: input.tournamentId,
    name: sandboxName(input.runId, input.attempt),
    image: input.image,
    command: entrypointCommand(input.entrypoint),
    env: {
      // Rounded up: SIGTERM never comes before the recorded deadline.
      CRUCIBLE_DEADLINE: String(Math.ceil(deadlineMs / 1000)),
      CRUCIBLE_TASK: `${SANDBOX_PATHS.task}/task.json`,
      CRUCIBLE_OUTPUT: SANDBOX_PATHS.output,
      CRUCIBLE_TRAIN: SANDBOX_PATHS.train,
      HOME: SANDBOX_PATHS.tmp,
      TMPDIR: SANDBOX_PATHS.tmp,
    },
    user: input.user ?? { uid: 1000, gid: 1000 },
    mounts: input.mounts,
    limits: input.limits,
    deadlineMs,
    labels: {
      [SANDBOX_LABELS.managed]: 'true',
      [SANDBOX_LABELS.instance]: input.instance,
      [SANDBOX_LABELS.runId]: input.runId,
      [SANDBOX_LABELS.attempt]: String(input.attempt),
      [SANDBOX_LABELS.tournamentId]: input.tournamentId,
      [SANDBOX_LABELS.deadline]: String(deadlineMs),
      [SANDBOX_LABELS.grace]: String(input.limits.graceSeconds),
    },
  };
}
