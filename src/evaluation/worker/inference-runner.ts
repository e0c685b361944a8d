import * as fs from 'node:fs';
import { EvaluationErrorCode as Code, isEvaluationErrorCode, MINER_FAULT_CODES } from '../evaluation.errors';
import type { CausalityEvidence } from '../task-types/causality';
import type { RejectionEvidence } from '../task-data';
import { WorkerPool } from './worker-pool';
import type { WorkerExit, WorkerProcess, WorkerSpawnSpec } from './worker-process';
import type { InferenceJob } from './worker-protocol';

export interface WorkerLimits {
  timeoutMs: number;
  /** Resident memory cap of the worker process (RSS watchdog, plus RLIMIT_DATA on CPU). */
  memoryMb: number;
}

export type InferenceOutcome =
  | { ok: true; losses: Float64Array; correct: number | null; scoredUnits: number; causality: CausalityEvidence | null; provider: string; inferenceMs: number; wallMs: number }
  | { ok: false; infra: boolean; code: string; reason: string; evidence?: RejectionEvidence };

const WATCHDOG_INTERVAL_MS = 50;

/**
 * Runs each inference job in a worker process of its own (taken from a pool of pre-started ones)
 * with its heap cap, RSS watchdog and deadline. Whatever the model does to the runtime (crash, hang,
 * runaway allocation), the parent only sees a typed outcome, and the process never runs another job.
 */
export class InferenceRunner {
  private readonly pool: WorkerPool;

  /**
   * @param env the worker's whole environment (no secrets: the model runs in there).
   * @param spares worker processes kept started ahead of jobs (0: each job starts its own).
   */
  constructor(
    private readonly env: Record<string, string> = {},
    spares = 1,
  ) {
    this.pool = new WorkerPool(spares);
  }

  /** Resolves once the spare workers for jobs like these have loaded onnxruntime. */
  warm(provider: InferenceJob['provider'], memoryMb: number): Promise<void> {
    return this.pool.warm(this.spec(provider, memoryMb));
  }

  /** Stops the spare workers (a job still running keeps its own process to the end). */
  close(): void {
    this.pool.close();
  }

  run(job: InferenceJob, limits: WorkerLimits): Promise<InferenceOutcome> {
    const spec = this.spec(job.provider, limits.memoryMb);
    const worker = this.pool.take(spec);
    worker.hold(true);
    const started = performance.now();
    let killedFor: KillReason | null = null;
    const stopAfter = (reason: KillReason): NodeJS.Timeout =>
      setTimeout(() => {
        killedFor = reason;
        worker.kill();
      }, limits.timeoutMs);
    // The model's time starts when it is handed over: starting the process is the evaluator's own set-up.
    let deadline = stopAfter(Code.WorkerStartFailed);
    const watchdog = setInterval(() => {
      if (worker.pid !== undefined && readRssMb(worker.pid) > limits.memoryMb) {
        killedFor = Code.MemoryLimit;
        worker.kill();
      }
    }, WATCHDOG_INTERVAL_MS);

    void worker.whenStarted().then(() => {
      clearTimeout(deadline);
      deadline = stopAfter(Code.Timeout);
      worker.send({ type: 'evaluate', job });
    });
    // Once it has answered, the worker is stopped rather than left to tear onnxruntime down.
    void worker.whenAnswered().then(() => worker.kill());
    return worker.whenExited().then((exit) => {
      clearTimeout(deadline);
      clearInterval(watchdog);
      this.pool.replenish(spec);
      return outcomeOf(worker, exit, killedFor, limits, performance.now() - started);
    });
  }

  private spec(provider: InferenceJob['provider'], memoryMb: number): WorkerSpawnSpec {
    return { env: this.env, memoryMb, hardDataLimit: provider === 'cpu' };
  }
}

type KillReason = Code.Timeout | Code.MemoryLimit | Code.WorkerStartFailed;

function outcomeOf(worker: WorkerProcess, exit: WorkerExit, killedFor: KillReason | null, limits: WorkerLimits, wallMs: number): InferenceOutcome {
  const fail = (code: Code, reason: string, evidence?: RejectionEvidence): InferenceOutcome => ({ ok: false, infra: !MINER_FAULT_CODES.has(code), code, reason, ...(evidence ? { evidence } : {}) });
  if (killedFor === Code.Timeout) return fail(Code.Timeout, `evaluation exceeded ${Math.round(limits.timeoutMs / 1000)} s and was stopped`);
  if (killedFor === Code.MemoryLimit) return fail(Code.MemoryLimit, `evaluation exceeded the ${limits.memoryMb} MB memory limit and was stopped`);
  if (killedFor === Code.WorkerStartFailed) return fail(Code.WorkerStartFailed, `the inference worker did not start within ${Math.round(limits.timeoutMs / 1000)} s`);
  const r = worker.result;
  if (r?.type === 'result') {
    const { losses, correct, scoredUnits, causality, provider, inferenceMs } = r;
    return { ok: true, losses, correct, scoredUnits, causality, provider, inferenceMs, wallMs };
  }
  if (r?.type === 'failure') {
    if (!isEvaluationErrorCode(r.code)) return fail(Code.EvaluatorFailed, `the inference worker answered with an unknown code ${JSON.stringify(r.code)}: ${r.reason}`);
    return fail(r.code, r.reason, r.evidence);
  }
  if (exit.spawnError !== undefined) return fail(Code.WorkerStartFailed, `could not start the inference worker: ${exit.spawnError}`);
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  if (!worker.started) return fail(Code.WorkerStartFailed, `the inference worker died before it started (${how}): ${lastLines(worker.stderr)}`);
  // The model was being checked, loaded or run: it took the runtime down.
  return fail(Code.RuntimeCrashed, `the model crashed the inference runtime (${how})`);
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

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
