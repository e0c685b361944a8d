import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EvaluationErrorCode as Code, MINER_FAULT_CODES } from '../evaluation.errors';
import type { CausalityEvidence } from '../task-types/causality';
import type { InferenceJob, WorkerResponse } from './worker-protocol';
import type { RejectionEvidence } from '../task-data';

export interface WorkerLimits {
  timeoutMs: number;
  /** Resident memory cap of the worker process (RSS watchdog, plus RLIMIT_DATA on CPU). */
  memoryMb: number;
}

export type InferenceOutcome =
  | { ok: true; losses: Float64Array; correct: number | null; scoredUnits: number; causality: CausalityEvidence | null; provider: string; inferenceMs: number; wallMs: number }
  | { ok: false; infra: boolean; code: string; reason: string; evidence?: RejectionEvidence };

const WATCHDOG_INTERVAL_MS = 50;
const STDERR_TAIL = 2000;

/** How to start the worker: the compiled .js beside this file, or the .ts through ts-node (tests, bench). */
export function workerEntry(): { script: string; execArgv: string[] } {
  const js = path.join(__dirname, 'inference.worker.js');
  if (fs.existsSync(js)) return { script: js, execArgv: [] };
  // From sources (tests, bench): the build's worker when it is newer than the source, since
  // transpiling in every evaluation process costs more than the evaluation of a small model.
  const ts = path.join(__dirname, 'inference.worker.ts');
  const built = path.resolve(__dirname, '../../../dist/src/evaluation/worker/inference.worker.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource(__dirname)) return { script: built, execArgv: [] };
  return { script: ts, execArgv: ['-r', 'ts-node/register/transpile-only'] };
}

/** Newest modification time of the evaluation sources the worker is built from. */
function newestSource(workerDir: string): number {
  const dirs = [workerDir, path.dirname(workerDir), path.join(path.dirname(workerDir), 'task-types'), path.join(path.dirname(workerDir), 'onnx'), path.join(path.dirname(workerDir), 'datasets')];
  let newest = 0;
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.ts')) newest = Math.max(newest, fs.statSync(path.join(dir, f)).mtimeMs);
  }
  return newest;
}

const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));

/**
 * Runs one inference job in a fresh child process with its own heap cap, RSS watchdog and
 * deadline. Whatever the model does to the runtime (crash, hang, runaway allocation), the parent
 * only sees a typed outcome.
 */
export class InferenceRunner {
  /** @param env the worker's whole environment (no secrets: the model runs in there). */
  constructor(private readonly env: Record<string, string> = {}) {}

  run(job: InferenceJob, limits: WorkerLimits): Promise<InferenceOutcome> {
    const entry = workerEntry();
    const heapMb = Math.max(128, Math.floor(limits.memoryMb / 2));
    const nodeArgs = [...entry.execArgv, `--max-old-space-size=${heapMb}`, entry.script];
    // RLIMIT_DATA makes a runaway allocation fail inside onnxruntime (a clean error) rather than
    // swapping the host. Not with CUDA, whose driver maps large private regions.
    const hardLimit = PRLIMIT !== undefined && job.provider === 'cpu';
    const command = hardLimit ? (PRLIMIT as string) : process.execPath;
    const args = hardLimit ? [`--data=${limits.memoryMb * 1024 * 1024}`, '--', process.execPath, ...nodeArgs] : nodeArgs;
    const started = performance.now();

    return new Promise((resolve) => {
      let settled = false;
      let workerStarted = false;
      let killedFor: Code.Timeout | Code.MemoryLimit | null = null;
      let result: WorkerResponse | null = null;
      let stderr = '';

      const child = spawn(command, args, {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'advanced',
        env: this.env,
        cwd: process.cwd(),
      });

      const finish = (outcome: InferenceOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(watchdog);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        resolve(outcome);
      };
      const fail = (code: Code, reason: string, evidence?: RejectionEvidence): void =>
        finish({ ok: false, infra: !MINER_FAULT_CODES.has(code), code, reason, ...(evidence ? { evidence } : {}) });

      const deadline = setTimeout(() => {
        killedFor = Code.Timeout;
        child.kill('SIGKILL');
      }, limits.timeoutMs);
      const watchdog = setInterval(() => {
        const rssMb = child.pid === undefined ? 0 : readRssMb(child.pid);
        if (rssMb > limits.memoryMb) {
          killedFor = Code.MemoryLimit;
          child.kill('SIGKILL');
        }
      }, WATCHDOG_INTERVAL_MS);

      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.on('message', (message: WorkerResponse) => {
        if (message.type === 'started') {
          workerStarted = true;
          child.send({ type: 'evaluate', job });
        } else {
          result = message;
        }
      });
      child.on('error', (error) => fail(Code.WorkerStartFailed, `could not start the inference worker: ${error.message}`));
      child.on('exit', (code, signal) => {
        if (killedFor === Code.Timeout) return fail(Code.Timeout, `evaluation exceeded ${Math.round(limits.timeoutMs / 1000)} s and was stopped`);
        if (killedFor === Code.MemoryLimit) return fail(Code.MemoryLimit, `evaluation exceeded the ${limits.memoryMb} MB memory limit and was stopped`);
        const r = result as WorkerResponse | null;
        if (r?.type === 'result') {
          const { losses, correct, scoredUnits, causality, provider, inferenceMs } = r;
          return finish({ ok: true, losses, correct, scoredUnits, causality, provider, inferenceMs, wallMs: performance.now() - started });
        }
        if (r?.type === 'failure') return fail(r.code as Code, r.reason, r.evidence);
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        if (!workerStarted) return fail(Code.WorkerStartFailed, `the inference worker died before it started (${how}): ${lastLine(stderr)}`);
        // The model was being checked, loaded or run: it took the runtime down.
        return fail(Code.RuntimeCrashed, `the model crashed the inference runtime (${how})`);
      });
    });
  }
}

function readRssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
