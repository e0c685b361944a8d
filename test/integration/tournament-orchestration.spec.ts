import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { Behaviour, FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

const BASELINE = { CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git', CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40) };
// Weights pay the uids of the metagraph when they are made: addEntrants' hotkey-NNNN is uid NNNN + 1.
const METAGRAPH = { CRUCIBLE_STATIC_METAGRAPH: Array.from({ length: 256 }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}=${i + 1}`).join(',') };

/** Miner i's loss grows with i (miner 0 is best); every 10th miner's script crashes. */
function behaviour(job: TrainingJob): Behaviour {
  if (job.repoUrl.includes('baseline')) return { loss: 3.0 };
  const i = Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 0);
  if (i % 10 === 9) return { outcome: 'miner_failed' };
  return { loss: 2.0 + i * 0.001 };
}

interface Env {
  db: TestDatabase;
  dir: string;
  executor: InMemoryTrainingExecutor;
  taskData: FakeTaskDataService;
}

async function env(): Promise<Env> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-orch-'));
  return { db: await createTestDatabase('postgres'), dir, executor: new InMemoryTrainingExecutor(behaviour), taskData: new FakeTaskDataService(path.join(dir, 'eval')) };
}

function worker(e: Env): Promise<WorkerHandle> {
  return startWorker({ db: e.db.config, dataDir: e.dir, executor: e.executor, taskData: e.taskData, env: { ...BASELINE, ...METAGRAPH, CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64' } });
}

async function cleanup(e: Env, w?: WorkerHandle) {
  await w?.app.close();
  await e.db.drop();
  fs.rmSync(e.dir, { recursive: true, force: true });
}

describe('tournament orchestration with an instant runner (PostgreSQL)', () => {
  it('runs a 256-entrant tournament through groups, knockout and the boss round', async () => {
    const e = await env();
    const w = await worker(e);
    try {
      const t = await createClosedTournament(w.app);
      await addEntrants(w.app, t.id, Array.from({ length: 256 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
      const started = Date.now();
      const ticks = await w.runUntil(t.id, 'completed');
      const seconds = (Date.now() - started) / 1000;

      const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
      expect(rounds.map((r) => r.kind)).toEqual(['group', 'group', 'group', 'knockout', 'knockout', 'knockout', 'boss']);
      expect(rounds.every((r) => r.state === 'decided')).toBe(true);

      const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
      expect([...e.executor.starts.values()].every((n) => n === 1)).toBe(true);
      // Miner-caused failures are retried once (attempt budget 2), then counted.
      expect(runs.filter((r) => r.outcome === 'miner_failed').every((r) => r.attempt <= 2)).toBe(true);

      const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
      const boss = rounds[rounds.length - 1].decision as { verdict: { challengerWins: boolean; tasksWon: number } };
      expect(boss.verdict.challengerWins).toBe(true);
      const winner = runs.find((r) => r.entrantId === final.winnerEntrantId);
      expect(winner).toBeDefined();

      const preview = await w.app.get(WeightsPreviewService).preview();
      expect(preview.vector.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(preview.emit!.weights.length).toBe(preview.emit!.uids.length);
      // uid 1 is miner 0, the best: it gets the largest weight.
      const top = preview.vector.uids[preview.vector.weights.indexOf(Math.max(...preview.vector.weights))];
      expect(top).toBe(1);
      console.log(`orchestration-256: ${runs.length} runs, ${ticks} ticks, ${seconds.toFixed(2)} s, ${((seconds * 1000) / runs.length).toFixed(2)} ms/run`);
    } finally {
      await cleanup(e, w);
    }
  });

  describe('restart safety', () => {
    const miners = Array.from({ length: 9 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` }));
    let reference: { uids: number[]; weights: number[] };

    beforeAll(async () => {
      const e = await env();
      const w = await worker(e);
      try {
        const t = await createClosedTournament(w.app);
        await addEntrants(w.app, t.id, miners);
        await w.runUntil(t.id, 'completed');
        reference = (await w.app.get(WeightsPreviewService).preview()).vector;
      } finally {
        await cleanup(e, w);
      }
    });

    it.each([1, 2, 3, 5])('killing the worker with runs in flight at tick %i changes nothing', async (killAt) => {
      const e = await env();
      let a: WorkerHandle | undefined = await worker(e);
      let b: WorkerHandle | undefined;
      try {
        const t = await createClosedTournament(a.app);
        await addEntrants(a.app, t.id, miners);
        for (let i = 1; i < killAt; i++) await a.step();
        e.executor.autoFinish = false;
        await a.scheduler.tick(); // launches runs that now hang "in their containers"
        await a.app.close(); // the worker dies; the containers keep going
        a = undefined;

        b = await worker(e);
        e.executor.autoFinish = true;
        e.executor.releaseAll();
        await b.runUntil(t.id, 'completed');
        const starts = [...e.executor.starts.values()];
        expect(starts.every((n) => n === 1)).toBe(true);
        const runs = await b.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
        expect(runs.every((r) => r.state === 'finished')).toBe(true);
        expect((await b.app.get(WeightsPreviewService).preview()).vector).toMatchObject({ uids: reference.uids, weights: reference.weights });
      } finally {
        await a?.app.close();
        await cleanup(e, b);
      }
    });
  });
});
