import type { RunOutcome } from './run-outcome';
import type { SandboxExit } from './sandbox-runner';

/** What the sandbox's /output held when the training command ended. */
export interface OutputFacts {
  /** /output was at its byte or file-count limit (a kernel limit: writes past it failed). */
  outputFull: boolean;
  model: { kind: 'missing' } | { kind: 'not-a-file' } | { kind: 'too-large'; bytes: number } | { kind: 'file'; bytes: number };
  /**
   * Files and directories /output held, where the filesystem could not cap them (Kubernetes: emptyDir
   * sets no tmpfs nr_inodes). Absent where the kernel enforces maxFiles (Docker's tmpfs).
   */
  files?: number;
}

export interface Classification {
  outcome: RunOutcome;
  reason: string;
}

/** Pure: engine exit + output facts -> exactly one typed outcome with the reason shown to the miner. */
export function classifyOutcome(
  exit: SandboxExit,
  output: OutputFacts,
  limits: { wallSeconds: number; memoryMb: number; outputMaxBytes: number; maxFiles: number },
): Classification {
  const capMb = (limits.outputMaxBytes / (1024 * 1024)).toFixed(1);
  if (exit.timedOut) {
    return { outcome: 'timed_out', reason: `did not finish within the time limit of ${limits.wallSeconds} s (stopped with SIGTERM, then killed)` };
  }
  if (exit.oomKilled) {
    return { outcome: 'oom_killed', reason: `killed by the out-of-memory killer at the memory limit of ${limits.memoryMb} MB` };
  }
  if (exit.cancelled) {
    return { outcome: 'infra_failed', reason: 'the run was cancelled by the validator' };
  }
  if (exit.exitCode === null) {
    return { outcome: 'infra_failed', reason: `the sandbox ended without an exit code${exit.detail ? ` (${exit.detail})` : ''}` };
  }
  if (output.files !== undefined && output.files > limits.maxFiles) {
    return { outcome: 'output_invalid', reason: `/output held ${output.files} files and directories, over the limit of ${limits.maxFiles}` };
  }
  if (exit.exitCode !== 0 && output.outputFull) {
    return { outcome: 'output_invalid', reason: `/output reached its limit (${capMb} MB or ${limits.maxFiles} files) and the script exited with code ${exit.exitCode}` };
  }
  if (exit.exitCode !== 0) {
    const signal = exit.exitCode > 128 ? ` (signal ${exit.exitCode - 128})` : '';
    return { outcome: 'miner_failed', reason: `the training script exited with code ${exit.exitCode}${signal}` };
  }
  switch (output.model.kind) {
    case 'missing':
      return { outcome: 'output_invalid', reason: 'the script exited 0 but left no /output/model.onnx' };
    case 'not-a-file':
      return { outcome: 'output_invalid', reason: '/output/model.onnx is not a regular file (links are refused)' };
    case 'too-large':
      return { outcome: 'output_invalid', reason: `/output/model.onnx (${output.model.bytes} bytes) is larger than the output limit of ${capMb} MB` };
    case 'file':
      if (output.model.bytes === 0) return { outcome: 'output_invalid', reason: '/output/model.onnx is empty' };
      return { outcome: 'succeeded', reason: `model.onnx written (${output.model.bytes} bytes)` };
  }
}
