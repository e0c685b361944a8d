import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { RunExecutionService } from './run-execution.service';
import { RunRepository } from './run.repository';
import type { TrainingRunEntity } from './training-run.entity';

/**
 * Feeds claimed runs to the executor with a concurrency limit per hardware class, keeps their
 * leases alive, and adopts runs whose worker died (expired lease). Safe with several workers:
 * every claim is a SKIP LOCKED row lock.
 */
@Injectable()
export class RunDispatcherService implements OnApplicationShutdown {
  private readonly logger = new Logger(RunDispatcherService.name);
  private readonly inFlight = new Map<string, { hardware: string; done: Promise<void> }>();
  private stopping = false;
  private booted = false;

  constructor(
    private readonly runs: RunRepository,
    private readonly execution: RunExecutionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** One dispatch pass; returns the number of runs it started or adopted. */
  async tick(hardwareClasses: string[]): Promise<number> {
    if (this.stopping) return 0;
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.config.tournaments.leaseSeconds * 1000);
    await this.runs.renewLeases([...this.inFlight.keys()], this.config.workerId, leaseUntil);

    let started = 0;
    const orphans = (await this.runs.claimOrphans(this.config.workerId, leaseUntil, now, 32, !this.booted)).filter((r) => !this.inFlight.has(r.id));
    this.booted = true;
    for (const run of orphans) {
      this.logger.warn({ tournamentId: run.tournamentId, runId: run.id, state: run.state, runnerRef: run.runnerRef }, 'adopting a run left by a stopped worker');
      this.launch(run);
      started++;
    }
    for (const hardware of hardwareClasses) {
      const limit = this.config.tournaments.concurrency[hardware] ?? 1;
      const busy = [...this.inFlight.values()].filter((f) => f.hardware === hardware).length;
      const claimed = await this.runs.claimQueued(hardware, limit - busy, this.config.workerId, leaseUntil, now);
      for (const run of claimed) this.launch(run);
      started += claimed.length;
    }
    return started;
  }

  get activeRuns(): number {
    return this.inFlight.size;
  }

  /** Resolves when every run this process is executing has been recorded. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  async onApplicationShutdown(): Promise<void> {
    // Leave sandboxes running: their leases expire and the next worker adopts them.
    this.stopping = true;
  }

  private launch(run: TrainingRunEntity): void {
    const done = this.execution
      .run(run)
      .catch((error: unknown) => this.logger.error({ runId: run.id, error: String(error) }, 'run execution crashed'))
      .finally(() => this.inFlight.delete(run.id));
    this.inFlight.set(run.id, { hardware: run.hardware, done });
  }
}
