import type { OutputFacts } from './classify-outcome';
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

/** Where collect() puts what a run left, and how much of it it takes. */
export interface CollectRequest {
  /** Host path the model is copied to (only when /output/model.onnx is a regular file within the cap). */
  modelPath: string;
  /** Host path of the run's log (at most logMaxBytes, plus a line saying what was dropped). */
  logPath: string;
  modelMaxBytes: number;
  logMaxBytes: number;
}

export interface CollectedOutput extends OutputFacts {
  /** A log was written to logPath. */
  logSaved: boolean;
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

/**
 * Runs one RunSpec in an isolated sandbox. Adapters: Docker (single node) and Kubernetes Jobs.
 * All methods throw SandboxInfraError (sandbox.errors.ts) on engine/API failures.
 */
export abstract class SandboxRunner {
  /** Recorded with the run ("docker", "kubernetes") so a restart knows which adapter owns the ref. */
  abstract readonly kind: string;
  /** Creates and starts the sandbox. An existing sandbox of the same name (a stale attempt) is replaced. */
  abstract start(spec: RunSpec): Promise<StartedSandbox>;
  /** Resolves when the training command has ended, enforcing the deadline recorded on it (also after adoption). */
  abstract wait(ref: string): Promise<SandboxExit>;
  /**
   * After wait(): copies the model and the bounded log out of the sandbox. Reads through the engine,
   * so neither the worker's uid nor the modes the script set matter. Call before cleanup().
   */
  abstract collect(ref: string, request: CollectRequest): Promise<CollectedOutput>;
  /** SIGTERM, grace period, then kill. Safe on an ended sandbox. */
  abstract cancel(ref: string, graceSeconds: number): Promise<void>;
  /** Removes the sandbox and its engine-side state. Safe to call twice. */
  abstract cleanup(ref: string): Promise<void>;
  /** Sandboxes carrying Crucible's labels, for the restart reconciler. */
  abstract listManaged(): Promise<ManagedSandbox[]>;
  /**
   * After a restart: starts the training command of a sandbox whose command never started (a worker
   * can die between creating a sandbox and starting its command). A no-op where the sandbox starts its
   * command itself (a Kubernetes Job's pod).
   */
  async ensureCommandStarted(_ref: string): Promise<void> {}
}
