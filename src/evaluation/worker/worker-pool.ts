import { spawnKey, WorkerProcess, WorkerSpawnSpec } from './worker-process';

/**
 * Worker processes started ahead of their jobs, so an evaluation waits neither for a process start
 * nor for loading onnxruntime. Every process runs one job and exits: a process that has opened a
 * model is never given another, so one miner's model cannot leave anything behind for the next.
 */
export class WorkerPool {
  private readonly spares = new Map<string, WorkerProcess[]>();
  private closed = false;

  /** @param size spare processes kept per spawn spec (0: every job starts its own process). */
  constructor(private readonly size: number) {}

  /** A started (or starting) worker for one job; the caller owns it and must see it exit. */
  take(spec: WorkerSpawnSpec): WorkerProcess {
    const spares = this.liveSpares(spec);
    return spares.shift() ?? new WorkerProcess(spec);
  }

  /** Starts spares up to the pool size. Called when a job is done, so no start competes with a running evaluation. */
  replenish(spec: WorkerSpawnSpec): void {
    if (this.closed) return;
    const spares = this.liveSpares(spec);
    while (spares.length < this.size) spares.push(new WorkerProcess(spec));
  }

  /** Resolves once every spare for `spec` has loaded its runtime or died trying. */
  async warm(spec: WorkerSpawnSpec): Promise<void> {
    this.replenish(spec);
    // Idle spares do not keep this process alive; the wait for them must.
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      await Promise.all(this.liveSpares(spec).map((w) => Promise.race([w.whenStarted(), w.whenExited()])));
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Stops every spare; later jobs start their own process and leave none behind. */
  close(): void {
    this.closed = true;
    for (const spares of this.spares.values()) for (const w of spares.splice(0)) w.kill();
  }

  private liveSpares(spec: WorkerSpawnSpec): WorkerProcess[] {
    const key = spawnKey(spec);
    const spares = (this.spares.get(key) ?? []).filter((w) => w.alive);
    this.spares.set(key, spares);
    return spares;
  }
}
