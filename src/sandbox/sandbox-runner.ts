import { DomainError } from '../common/domain-error';
import type { RunSpec } from './run-spec';

/** How a sandbox ended, as the engine saw it (classification into RunOutcome happens in the executor). */
export interface SandboxExit {
  exitCode: number | null;
  /** The kernel OOM killer ended the run (memory limit). */
  oomKilled: boolean;
  /** We (or the engine's deadline) stopped it at its wall-time limit. */
  timedOut: boolean;
  /** Stopped by cancel() for a reason other than the deadline. */
  cancelled: boolean;
  /** Engine-specific detail for operators (e.g. a pod's termination reason). */
  detail?: string;
  /** Digest or id of the image the sandbox ran (known again after adoption). */
  imageDigest: string | null;
}

export interface ManagedSandbox {
  ref: string;
  runId: string;
  attempt: number;
  running: boolean;
}

export interface StartedSandbox {
  ref: string;
  /** Digest (or image id where no registry digest exists) of the image actually used. */
  imageDigest: string | null;
}

export enum SandboxErrorCode {
  /** The engine or API server failed or is unreachable. */
  EngineFailed = 'SANDBOX_ENGINE_FAILED',
  /** The sandbox image is not present (build or pull it). */
  ImageMissing = 'SANDBOX_IMAGE_MISSING',
}

/** Engine/API failure: never the miner's fault; the run ends infra_failed and is retried. */
export class SandboxInfraError extends DomainError {
  readonly status = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown; code?: SandboxErrorCode }) {
    super(options?.code ?? SandboxErrorCode.EngineFailed, message, undefined, options);
  }
}

/**
 * Runs one RunSpec in an isolated sandbox. Adapters: Docker (single node) and Kubernetes Jobs.
 * All methods throw SandboxInfraError on engine/API failures.
 */
export abstract class SandboxRunner {
  /** Recorded with the run ("docker", "kubernetes") so a restart knows which adapter owns the ref. */
  abstract readonly kind: string;
  /** Creates and starts the sandbox. An existing sandbox of the same name (a stale attempt) is replaced. */
  abstract start(spec: RunSpec): Promise<StartedSandbox>;
  /** Resolves when the sandbox has ended, enforcing the deadline recorded on it (also after adoption). */
  abstract wait(ref: string): Promise<SandboxExit>;
  /** Writes at most maxBytes of the combined stdout/stderr (the tail) to destPath. */
  abstract logs(ref: string, destPath: string, maxBytes: number): Promise<void>;
  /** SIGTERM, grace period, then kill. Safe on an ended sandbox. */
  abstract cancel(ref: string, graceSeconds: number): Promise<void>;
  /** Removes the sandbox and its engine-side state. Safe to call twice. */
  abstract cleanup(ref: string): Promise<void>;
  /** Sandboxes carrying Crucible's labels, for the restart reconciler. */
  abstract listManaged(): Promise<ManagedSandbox[]>;
}
