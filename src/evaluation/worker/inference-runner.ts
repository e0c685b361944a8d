import * as fs from 'node:fs';
import { EvaluationErrorCode as Code, isEvaluationErrorCode, MINER_FAULT_CODES } from '../evaluation.errors';
import type { CausalityEvidence } from '../task-types/causality';
import type { RejectionEvidence } from '../task-data';
import { WorkerPool } from './worker-pool';
import type { WorkerExit, WorkerProcess, WorkerSpawnSpec } from './worker-process';
import type { InferenceJob, WorkerResponse } from './worker-protocol';

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
  private nextSplit: WorkerSpawnSpec['preloadSplit'] = undefined;

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
    const worker = this.pool.take(this.spec(job.provider, limits.memoryMb));
    // The next job is likely on the same split (a task's entries are evaluated in turn): the
    // workers started from now on read it while they wait.
    this.nextSplit = { path: job.testSplitPath, sha256: job.testSetSha256 };
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
    const stopLimits = (): void => {
      clearTimeout(deadline);
      clearInterval(watchdog);
    };
    // The job's outcome is known once the worker has answered: it is stopped then (rather than left
    // to tear onnxruntime down) and its exit is awaited in the background. An answer that comes
    // after a limit stopped the worker does not count: the outcome is then read at its exit, as
    // for every failure.
    const answered = worker.whenAnswered().then((): InferenceOutcome | null => {
      if (killedFor !== null) return null;
      stopLimits();
      worker.kill();
      return answerOutcome(worker.result, performance.now() - started);
    });
    const exited = worker.whenExited().then((exit) => {
      stopLimits();
      // At the exit, so that starting a process does not hold up the caller's use of the answer.
      this.pool.replenish(this.spec(job.provider, limits.memoryMb));
      return outcomeOf(worker, exit, killedFor, limits, performance.now() - started);
    });
    return Promise.race([answered.then((outcome) => outcome ?? exited), exited]);
  }

  private spec(provider: InferenceJob['provider'], memoryMb: number): WorkerSpawnSpec {
    return { env: this.env, memoryMb, hardDataLimit: provider === 'cpu', ...(this.nextSplit ? { preloadSplit: this.nextSplit } : {}) };
  }
}

type KillReason = Code.Timeout | Code.MemoryLimit | Code.WorkerStartFailed;

/** The outcome of a worker that exited: a limit that stopped it, else its answer, else how it died. */
function outcomeOf(worker: WorkerProcess, exit: WorkerExit, killedFor: KillReason | null, limits: WorkerLimits, wallMs: number): InferenceOutcome {
  if (killedFor === Code.Timeout) return failed(Code.Timeout, `evaluation exceeded ${Math.round(limits.timeoutMs / 1000)} s and was stopped`);
  if (killedFor === Code.MemoryLimit) return failed(Code.MemoryLimit, `evaluation exceeded the ${limits.memoryMb} MB memory limit and was stopped`);
  if (killedFor === Code.WorkerStartFailed) return failed(Code.WorkerStartFailed, `the inference worker did not start within ${Math.round(limits.timeoutMs / 1000)} s`);
  const answer = answerOutcome(worker.result, wallMs);
  if (answer) return answer;
  if (exit.spawnError !== undefined) return failed(Code.WorkerStartFailed, `could not start the inference worker: ${exit.spawnError}`);
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  if (!worker.started) return failed(Code.WorkerStartFailed, `the inference worker died before it started (${how}): ${lastLines(worker.stderr)}`);
  // The model was being checked, loaded or run: it took the runtime down.
  return failed(Code.RuntimeCrashed, `the model crashed the inference runtime (${how})`);
}

/** The outcome the worker answered with (its result or typed failure); null before it answered. */
function answerOutcome(r: WorkerResponse | null, wallMs: number): InferenceOutcome | null {
  if (r?.type === 'result') {
    const { losses, correct, scoredUnits, causality, provider, inferenceMs } = r;
    return { ok: true, losses, correct, scoredUnits, causality, provider, inferenceMs, wallMs };
  }
  if (r?.type === 'failure') {
    if (!isEvaluationErrorCode(r.code)) return failed(Code.EvaluatorFailed, `the inference worker answered with an unknown code ${JSON.stringify(r.code)}: ${r.reason}`);
    return failed(r.code, r.reason, r.evidence);
  }
  return null;
}

function failed(code: Code, reason: string, evidence?: RejectionEvidence): InferenceOutcome {
  return { ok: false, infra: !MINER_FAULT_CODES.has(code), code, reason, ...(evidence ? { evidence } : {}) };
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
