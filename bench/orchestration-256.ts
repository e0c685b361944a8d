/**
 * Orchestration overhead: the control loop of a 256-entrant tournament (groups, knockout, boss
 * round, weights) on PostgreSQL with an instant runner and evaluator, against a 10 s budget.
 * Run: npm run bench -- orchestration-256 [--workers N]
 * With --workers N, N workers (each its own app, claims and instant sandbox) share the database and
 * tick together, as `crucible serve --role worker` started N times would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainingRunEntity } from '../src/runs/training-run.entity';
import { TournamentEntity } from '../src/tournaments/tournament.entity';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../test/fakes/in-memory-training';
import { createTestDatabase } from '../test/support/databases';
import { addEntrants, createClosedTournament } from '../test/support/tournaments';
import { startWorker } from '../test/support/worker';

const ENTRANTS = 256;
const BUDGET_SECONDS = 10;
const flag = process.argv.indexOf('--workers');
const WORKERS = flag >= 0 ? Number(process.argv[flag + 1]) : 1;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-orch-'));
  const db = await createTestDatabase('postgres');
  if (!Number.isInteger(WORKERS) || WORKERS < 1) throw new Error('--workers must be an integer >= 1');
  const executors = Array.from({ length: WORKERS }, () => new InMemoryTrainingExecutor((job) => {
    const i = Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 0);
    return job.repoUrl.includes('baseline') ? { loss: 3 } : { loss: 2 + i * 0.001 };
  }));
  const taskData = new FakeTaskDataService(path.join(dir, 'eval'));
  const workers = [];
  for (const [i, executor] of executors.entries()) {
    workers.push(
      await startWorker({
        db: db.config,
        dataDir: dir,
        executor,
        taskData,
        env: {
          CRUCIBLE_WORKER_ID: `bench-worker-${i}`,
          CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
          CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
          CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64',
          CRUCIBLE_LOG_LEVEL: 'error',
        },
      }),
    );
  }
  const worker = workers[0];
  try {
    const t = await createClosedTournament(worker.app);
    await addEntrants(worker.app, t.id, Array.from({ length: ENTRANTS }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    const started = process.hrtime.bigint();
    let ticks = 0;
    for (let state = ''; state !== 'completed'; ticks++) {
      if (ticks >= 500) throw new Error(`not completed after ${ticks} ticks (${state})`);
      await Promise.all(workers.map((w) => w.step()));
      state = (await worker.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id })).state;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const runs = await worker.ds.getRepository(TrainingRunEntity).count({ where: { tournamentId: t.id } });
    console.log(`entrants: ${ENTRANTS}`);
    console.log(`workers: ${WORKERS} (runs each: ${executors.map((x) => x.starts.size).join(', ')})`);
    console.log(`runs: ${runs}`);
    console.log(`ticks: ${ticks}`);
    console.log(`control_loop_seconds: ${seconds.toFixed(3)}`);
    console.log(`overhead_ms_per_run: ${((seconds * 1000) / runs).toFixed(2)}`);
    console.log(`budget_seconds: ${BUDGET_SECONDS}`);
    console.log('direction: control-loop seconds over the 10 s budget; lower is better, below 1 meets the target');
    console.log(`ratio: ${(seconds / BUDGET_SECONDS).toFixed(3)}`);
  } finally {
    for (const w of workers) await w.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
