import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Socket } from 'node:net';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

const STDERR_TAIL = 2000;

/**
 * glibc malloc settings of a worker process. It runs one job and exits, so it keeps what it frees:
 * blocks up to 64 MB come from the heap rather than a mapping of their own each time, and the heap
 * is never trimmed. Each inference step's tensors then reuse the pages the step before touched. A
 * long-lived process gets this reuse from malloc's adaptive threshold once it has freed a few large
 * blocks; a fresh one maps and faults in new pages for each step's output instead (the reward
 * evaluator's generation on the base text model: 47,800 page faults and 1.76 s of CPU, 31,500 and
 * 1.34 s with these). The RSS watchdog and RLIMIT_DATA count the kept memory as any other.
 * glibc's own variables, not GLIBC_TUNABLES: glibc rewrites that one in place when a program reads
 * it, and prlimit would hand node only its first setting.
 */
export const WORKER_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024) };
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));

/** How a worker process is started; processes started alike can take each other's jobs. */
export interface WorkerSpawnSpec {
  /** The worker's environment, besides WORKER_MALLOC_ENV; no secrets: the model runs in there. */
  env: Record<string, string>;
  /** Resident memory cap: the heap size and, with `hardDataLimit`, RLIMIT_DATA. */
  memoryMb: number;
  /**
   * RLIMIT_DATA makes a runaway allocation fail inside onnxruntime (a clean error) rather than
   * swapping the host. Not with CUDA, whose driver maps large private regions.
   */
  hardDataLimit: boolean;
  /**
   * The hidden test split (file and expected sha256) the worker reads, checks and parses while it
   * waits, for a job on that split. Not part of how it is started alike: any job can take it.
   */
  preloadSplit?: { path: string; sha256: string };
}

export function spawnKey(spec: WorkerSpawnSpec): string {
  return JSON.stringify([spec.memoryMb, spec.hardDataLimit && PRLIMIT !== undefined, Object.entries(spec.env).sort()]);
}

export type WorkerExit = { code: number | null; signal: NodeJS.Signals | null; spawnError?: string };

/**
 * One inference worker process: started ahead of its job (it loads onnxruntime, says `started`,
 * then waits), it runs exactly one job and exits. While it waits it does not keep this process alive.
 */
export class WorkerProcess {
  private readonly child: ChildProcess;
  private startedFlag = false;
  private resultMessage: WorkerResponse | null = null;
  private stderrTail = '';
  private exitInfo: WorkerExit | null = null;
  private readonly startedWaiters: (() => void)[] = [];
  private readonly answerWaiters: (() => void)[] = [];
  private readonly exitWaiters: ((exit: WorkerExit) => void)[] = [];

  constructor(spec: WorkerSpawnSpec) {
    const entry = workerEntry();
    const heapMb = Math.max(128, Math.floor(spec.memoryMb / 2));
    const preload = spec.preloadSplit ? [spec.preloadSplit.path, spec.preloadSplit.sha256] : [];
    const nodeArgs = [...entry.execArgv, `--max-old-space-size=${heapMb}`, entry.script, ...preload];
    const limited = spec.hardDataLimit && PRLIMIT !== undefined;
    const command = limited ? (PRLIMIT as string) : process.execPath;
    const args = limited ? [`--data=${spec.memoryMb * 1024 * 1024}`, '--', process.execPath, ...nodeArgs] : nodeArgs;
    this.child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', env: { ...spec.env, ...WORKER_MALLOC_ENV }, cwd: process.cwd() });

    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.child.on('message', (message: WorkerResponse) => {
      if (message.type !== 'started') {
        this.resultMessage = message;
        for (const wake of this.answerWaiters.splice(0)) wake();
        return;
      }
      this.startedFlag = true;
      for (const wake of this.startedWaiters.splice(0)) wake();
    });
    // Before a pid there is no process (spawn failed); after, an error is a broken channel: the job is lost.
    this.child.on('error', (error) => (this.child.pid === undefined ? this.exited({ code: null, signal: null, spawnError: error.message }) : this.kill()));
    this.child.on('exit', (code, signal) => this.exited({ code, signal }));
    this.hold(false);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once the worker has loaded its runtime (it said `started`). */
  get started(): boolean {
    return this.startedFlag;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** The worker's last message other than `started`: its result or failure. */
  get result(): WorkerResponse | null {
    return this.resultMessage;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Whether this process's event loop waits for the worker (yes while it runs a job). */
  hold(held: boolean): void {
    const handles: { ref(): unknown; unref(): unknown }[] = [this.child];
    if (this.child.channel) handles.push(this.child.channel);
    if (this.child.stderr) handles.push(this.child.stderr as Socket);
    for (const handle of handles) {
      if (held) handle.ref();
      else handle.unref();
    }
  }

  whenStarted(): Promise<void> {
    if (this.startedFlag) return Promise.resolve();
    return new Promise((resolve) => this.startedWaiters.push(resolve));
  }

  /** Resolves when the worker has sent its result or failure (it has nothing left to do then). */
  whenAnswered(): Promise<void> {
    if (this.resultMessage) return Promise.resolve();
    return new Promise((resolve) => this.answerWaiters.push(resolve));
  }

  whenExited(): Promise<WorkerExit> {
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Hands the worker its job; a worker that is gone by now ends up in whenExited() instead. */
  send(request: WorkerRequest): void {
    if (this.alive && this.child.connected) this.child.send(request);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private exited(exit: WorkerExit): void {
    if (this.exitInfo) return;
    this.exitInfo = exit;
    for (const wake of this.exitWaiters.splice(0)) wake(exit);
  }
}

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
