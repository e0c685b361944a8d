import type { RunOutcome } from '../runs/run-state';
import type { SandboxExit } from './sandbox-runner';

/** What the executor found in /output after the sandbox ended. */
export interface OutputFacts {
  totalBytes: number;
  /** The watcher stopped the run because /output outgrew the cap. */
  capExceededDuringRun: boolean;
  model: { kind: 'missing' } | { kind: 'not-a-file' } | { kind: 'file'; bytes: number };
}

export interface Classification {
  outcome: RunOutcome;
  reason: string;
}

/** SIGXFSZ: a write went past RLIMIT_FSIZE (the per-file output cap). */
const EXIT_FILE_TOO_LARGE = 128 + 25;

/** Pure: engine exit + output facts -> exactly one typed outcome with the reason shown to the miner. */
export function classifyOutcome(
  exit: SandboxExit,
  output: OutputFacts,
  limits: { wallSeconds: number; memoryMb: number; outputMaxBytes: number },
): Classification {
  const capMb = (limits.outputMaxBytes / (1024 * 1024)).toFixed(1);
  if (exit.timedOut) {
    return { outcome: 'timed_out', reason: `did not finish within the time limit of ${limits.wallSeconds} s (stopped with SIGTERM, then killed)` };
  }
  if (exit.oomKilled) {
    return { outcome: 'oom_killed', reason: `killed by the out-of-memory killer at the memory limit of ${limits.memoryMb} MB` };
  }
  if (output.capExceededDuringRun || output.totalBytes > limits.outputMaxBytes) {
    return { outcome: 'output_invalid', reason: `wrote more than the output limit of ${capMb} MB to /output` };
  }
  if (exit.exitCode === EXIT_FILE_TOO_LARGE) {
    return { outcome: 'output_invalid', reason: 'a file grew past the per-file size limit (killed by SIGXFSZ)' };
  }
  if (exit.cancelled) {
    return { outcome: 'infra_failed', reason: 'the run was cancelled by the validator' };
  }
  if (exit.exitCode === null) {
    return { outcome: 'infra_failed', reason: `the sandbox ended without an exit code${exit.detail ? ` (${exit.detail})` : ''}` };
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
    case 'file':
      if (output.model.bytes === 0) return { outcome: 'output_invalid', reason: '/output/model.onnx is empty' };
      return { outcome: 'succeeded', reason: `model.onnx written (${output.model.bytes} bytes)` };
  }
}
