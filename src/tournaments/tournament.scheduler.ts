import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { schedulerTickSeconds } from '../common/metrics';
import { DutyGuard, errorText } from '../common/duty-guard';
import { Transactor } from '../common/transactor';
import { AppConfig } from '../config/app-config';
import { RunDispatcherService } from '../runs/run-dispatcher.service';
import { RunRepository } from '../runs/run.repository';
import { SandboxReconciler } from '../sandbox/sandbox-reconciler';
import { TournamentEngineService } from './tournament-engine.service';
import { TournamentRepository } from './tournament.repository';
import { TournamentFactory } from './tournament.factory';
import { Upkeep } from './upkeep';

/** Start-up reconciliation and back-to-back cycle creation, kept apart from the tick loop. */
@Injectable()
export class SchedulerMaintenance {
  private readonly logger = new Logger(SchedulerMaintenance.name);
  private readonly duties = new DutyGuard(this.logger);

  constructor(
    private readonly tx: Transactor,
    private readonly tournaments: TournamentRepository,
    private readonly factory: TournamentFactory,
    private readonly runs: RunRepository,
    private readonly reconciler: SandboxReconciler,
    private readonly clock: Clock,
  ) {}

  /** Sandboxes of runs the database no longer considers live are removed; live ones get adopted. */
  async reconcileSandboxes(): Promise<void> {
    try {
      const plan = await this.reconciler.reconcile(new Set(await this.runs.liveRunIds()));
      this.logger.log({ adopt: plan.adopt.length, removed: plan.removed.length }, 'sandboxes reconciled');
    } catch (error) {
      this.logger.error({ error: errorText(error) }, 'could not reconcile sandboxes (is the sandbox engine reachable?)');
    }
  }

  /**
   * With auto-scheduling on, a type without an active tournament gets its next cycle: the first one
   * now; after a completed one (normally the engine schedules it on completion, in the same
   * transaction) at its completion plus the gap, or now when that is past. Late starts happen once:
   * the cycle number is unique per type, so a second worker (or a second tick) cannot add another.
   */
  async scheduleCycles(): Promise<void> {
    const types = this.factory.autoScheduledTypes();
    if (types.length === 0) return;
    // One read for every type; a type seen active has nothing to schedule (the others look again, one by one).
    let active = new Set<string>();
    if (!(await this.duties.run('cycle scheduling', {}, async () => (active = new Set(await this.tournaments.typesWithActive()))))) return;
    for (const type of types) if (!active.has(type)) await this.duties.run('cycle scheduling', { type }, () => this.scheduleCycle(type));
  }

  private async scheduleCycle(type: string): Promise<void> {
    if (await this.tournaments.activeOfType(type)) return;
    const latest = await this.tournaments.latestOfType(type);
    const now = this.clock.now();
    const gapMs = this.factory.rulebookFor(type).schedule.gapHours * 3600_000;
    const opensAt = latest?.finishedAt ? new Date(Math.max(now.getTime(), latest.finishedAt.getTime() + gapMs)) : now;
    try {
      await this.tx.run(() => this.factory.createNextCycle({ type, opensAt }));
      this.logger.log({ type, opensAt: opensAt.toISOString(), after: latest?.id ?? null }, 'cycle scheduled');
    } catch (error) {
      // A second worker created it first (unique type+cycle): nothing to do. Anything else is the guard's to log and count.
      if (!/duplicate key|unique/i.test(String(error))) throw error;
      this.logger.log({ type }, 'cycle already created by another worker');
    }
  }
}

/**
 * The worker's heartbeat (thin): schedule cycles, advance each active tournament, feed the run
 * dispatcher, then the chain and audit upkeep. Each duty, and each tournament, is its own guarded
 * step: one that throws is logged with what it was (the tournament id) and counted, and the others
 * still run. Ticks never overlap in one process; across processes, row locks make a second tick a no-op.
 */
@Injectable()
export class TournamentScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TournamentScheduler.name);
  private readonly duties = new DutyGuard(this.logger);
  private ticking: Promise<void> | null = null;

  constructor(
    private readonly engine: TournamentEngineService,
    private readonly tournaments: TournamentRepository,
    private readonly runs: RunRepository,
    private readonly dispatcher: RunDispatcherService,
    private readonly maintenance: SchedulerMaintenance,
    private readonly upkeep: Upkeep,
    private readonly registry: SchedulerRegistry,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.reconcileSandboxes();
    this.registry.addInterval('crucible-tick', setInterval(() => void this.tick(), this.config.schedulerTickMs));
    void this.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', 'crucible-tick')) this.registry.deleteInterval('crucible-tick');
    await this.ticking;
  }

  /** One pass; concurrent calls share the pass in progress. */
  tick(): Promise<void> {
    if (!this.ticking) {
      const timed = schedulerTickSeconds.startTimer();
      this.ticking = this.pass().finally(() => {
        timed();
        this.ticking = null;
      });
    }
    return this.ticking;
  }

  private async pass(): Promise<void> {
    await this.maintenance.scheduleCycles();
    let active: string[] = [];
    await this.duties.run('listing active tournaments', {}, async () => (active = await this.tournaments.activeIds()));
    for (const tournamentId of active) await this.duties.run('tournament step', { tournamentId }, () => this.engine.advanceActive(tournamentId));
    await this.duties.run('run dispatch', {}, async () => this.dispatcher.tick(await this.runs.queuedHardwareClasses()));
    await this.upkeep.run();
  }
}
