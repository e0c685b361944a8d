import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureHttp } from '../../src/main';
import { ChainClient } from '../../src/chain/chain-client';
import { Clock } from '../../src/common/clock';
import { AppConfig, loadConfig, Role } from '../../src/config/app-config';
import type { DatabaseConfig } from '../../src/config/app-config';
import { TaskDataService } from '../../src/evaluation/task-data';
import { RunDispatcherService } from '../../src/runs/run-dispatcher.service';
import { TrainingExecutor } from '../../src/sandbox/training-executor';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { TournamentScheduler } from '../../src/tournaments/tournament.scheduler';
import type { TournamentState } from '../../src/tournaments/tournament-state';

export interface WorkerHandle {
  app: INestApplication;
  config: AppConfig;
  ds: DataSource;
  scheduler: TournamentScheduler;
  dispatcher: RunDispatcherService;
  /** Ticks (waiting for in-flight runs between ticks) until the tournament reaches `state`. */
  runUntil(tournamentId: string, state: TournamentState, maxTicks?: number): Promise<number>;
  /** One tick, then wait for the runs it started. */
  step(): Promise<void>;
}

export interface WorkerOptions {
  db: DatabaseConfig;
  dataDir: string;
  env?: Record<string, string>;
  executor?: TrainingExecutor;
  taskData?: TaskDataService;
  clock?: Clock;
  /** A chain stand-in (e.g. InMemoryChainClient) in place of the configured endpoint's client. */
  chain?: ChainClient;
  role?: Role;
  /** Extra controllers mounted beside the app's (benchmarks' baseline routes). */
  controllers?: Type[];
}

/** A worker-role app on a real database; fakes only where given. Ticks are driven by the test. */
export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const config = loadConfig({
    CRUCIBLE_DATA_DIR: opts.dataDir,
    CRUCIBLE_LOG_LEVEL: 'warn',
    CRUCIBLE_TICK_MS: '3600000',
    CRUCIBLE_WORKER_ID: 'test-worker',
    // Suites create their own tournaments; the scheduling suite turns it on.
    CRUCIBLE_AUTO_SCHEDULE: 'false',
    CRUCIBLE_GIT_ALLOW_INSECURE: 'true',
    // Its own sandbox instance: the start-up reconciler must never touch another process's containers.
    CRUCIBLE_SANDBOX_INSTANCE: `test-${randomBytes(4).toString('hex')}`,
    ...(opts.db.url ? { DATABASE_URL: opts.db.url } : { CRUCIBLE_EMBEDDED_DB_DIR: opts.db.embeddedDir }),
    ...opts.env,
  });
  let builder = Test.createTestingModule({ imports: [AppModule.forRole(config, opts.role ?? 'worker')], controllers: opts.controllers ?? [] });
  if (opts.executor) builder = builder.overrideProvider(TrainingExecutor).useValue(opts.executor);
  if (opts.taskData) builder = builder.overrideProvider(TaskDataService).useValue(opts.taskData);
  if (opts.clock) builder = builder.overrideProvider(Clock).useValue(opts.clock);
  if (opts.chain) builder = builder.overrideProvider(ChainClient).useValue(opts.chain);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'], bodyParser: false });
  configureHttp(app);
  await app.init();
  // An api-role app (setting up data for worker processes) has neither; step() is then never called.
  const ticks = (opts.role ?? 'worker') !== 'api';
  const scheduler = (ticks ? app.get(TournamentScheduler) : null) as TournamentScheduler;
  const dispatcher = (ticks ? app.get(RunDispatcherService) : null) as RunDispatcherService;
  const ds = app.get(DataSource);
  const step = async () => {
    await scheduler.tick();
    await dispatcher.drain();
  };
  return {
    app,
    config,
    ds,
    scheduler,
    dispatcher,
    step,
    async runUntil(id, state, maxTicks = 500) {
      for (let i = 1; i <= maxTicks; i++) {
        await step();
        const t = await ds.getRepository(TournamentEntity).findOneByOrFail({ id });
        if (t.state === state) return i;
      }
      const t = await ds.getRepository(TournamentEntity).findOneByOrFail({ id });
      const runs = await ds.query(`SELECT outcome, "outcomeReason", count(*)::int AS n FROM training_runs WHERE "tournamentId" = $1 GROUP BY 1, 2`, [id]);
      throw new Error(`tournament ${id} did not reach ${state} in ${maxTicks} ticks: it is ${t.state} (${t.stateReason}); runs: ${JSON.stringify(runs)}`);
    },
  };
}
