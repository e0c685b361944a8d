import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import * as path from 'node:path';
import { Clock } from '../common/clock';
import { prunableEntries } from '../common/disk-usage';
import { planPrune } from '../common/prune-plan';
import { AppConfig } from '../config/app-config';
import { forceRemove } from '../sandbox/output-dir';
import { runDirName } from '../sandbox/sandbox-training-executor';
import { RepoIntake } from '../repo-intake/repo-intake';
import { RunRepository } from './run.repository';

const DAY_MS = 86_400_000;

/**
 * Keeps the worker's disk bounded: run folders (kept model and log) and cached repositories past
 * their retention age go, then the least recently used until each folder fits its size limit.
 * Live runs' folders are never touched. Each worker prunes its own data dir; a second pass is a no-op.
 */
@Injectable()
export class StoragePruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StoragePruner.name);
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly runs: RunRepository,
    private readonly repos: RepoIntake,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval('crucible-prune', setInterval(() => void this.prune(), this.config.storage.pruneIntervalMinutes * 60_000));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', 'crucible-prune')) this.registry.deleteInterval('crucible-prune');
    await this.running;
  }

  /** One pass; returns the names it removed. Never throws (a failed pass is retried next interval). */
  async prune(): Promise<{ runs: string[]; repos: string[] }> {
    const pass = this.pass().catch((error: unknown) => {
      this.logger.warn({ error: String(error) }, 'storage prune failed; retrying next interval');
      return { runs: [], repos: [] };
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<{ runs: string[]; repos: string[] }> {
    const s = this.config.storage;
    const nowMs = this.clock.now().getTime();
    const runsDir = path.join(this.config.dataDir, 'runs');
    const live = new Set((await this.runs.liveRunAttempts()).map((r) => runDirName(r.id, r.attempt)));
    const runs = planPrune(await prunableEntries(runsDir), { nowMs, maxAgeMs: s.runsRetentionDays * DAY_MS, maxBytes: s.runsMaxMb * 1024 * 1024 }, live);
    for (const name of runs) await forceRemove(path.join(runsDir, name));
    const repos = await this.repos.prune({ nowMs, maxAgeMs: s.repoCacheRetentionDays * DAY_MS, maxBytes: s.repoCacheMaxMb * 1024 * 1024 });
    if (runs.length + repos.length > 0) this.logger.log({ runs: runs.length, repos: repos.length }, 'storage pruned');
    return { runs, repos };
  }
}
