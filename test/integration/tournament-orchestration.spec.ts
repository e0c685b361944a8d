import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { ManualClock } from '../../src/common/clock';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { TrainingExecutor, TrainingHooks, TrainingResult } from '../../src/sandbox/training-executor';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { DEFAULT_SCHEDULE } from '../../src/scoring/tournament-rulebook';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { makeDockerExecutor } from '../support/docker-executor';
import { makeRawTreeRepo } from '../support/git-fixtures';
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

function worker(e: Env, extra: { executor?: TrainingExecutor; env?: Record<string, string>; clock?: ManualClock } = {}): Promise<WorkerHandle> {
  return startWorker({
    db: e.db.config,
    dataDir: e.dir,
    executor: extra.executor ?? e.executor,
    taskData: e.taskData,
    clock: extra.clock,
    env: { ...BASELINE, ...METAGRAPH, CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', ...extra.env },
  });
}

/** Real sandbox executor (real git intake, real Docker runner) for file:// repositories, the instant one for the rest. */
class RoutingExecutor extends TrainingExecutor {
  constructor(
    private readonly real: TrainingExecutor,
    private readonly instant: TrainingExecutor,
  ) {
    super();
  }
  private pick(job: TrainingJob): TrainingExecutor {
    return job.repoUrl.startsWith('file://') ? this.real : this.instant;
  }
  execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    return this.pick(job).execute(job, hooks);
  }
  locate(job: TrainingJob) {
    return this.pick(job).locate(job);
  }
  adopt(job: TrainingJob, kind: string, ref: string): Promise<TrainingResult> {
    return this.pick(job).adopt(job, kind, ref);
  }
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

  it('two workers on one database share a 256-entrant tournament: no run twice, each round decided once, the same result', async () => {
    const e = await env();
    // One instant sandbox per worker: which worker ran a run is then known, and a run started by both would show twice.
    const executors = [new InMemoryTrainingExecutor(behaviour), new InMemoryTrainingExecutor(behaviour)];
    const workers = [
      await worker(e, { executor: executors[0], env: { CRUCIBLE_WORKER_ID: 'worker-a' } }),
      await worker(e, { executor: executors[1], env: { CRUCIBLE_WORKER_ID: 'worker-b' } }),
    ];
    try {
      const t = await createClosedTournament(workers[0].app);
      await addEntrants(workers[0].app, t.id, Array.from({ length: 256 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
      const ds = workers[0].ds;
      let state = '';
      for (let tick = 0; tick < 500 && state !== 'completed'; tick++) {
        await Promise.all(workers.map((w) => w.step()));
        state = (await ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id })).state;
      }
      expect(state).toBe('completed');

      const [a, b] = executors.map((x) => new Set(x.starts.keys()));
      expect(a.size).toBeGreaterThan(0);
      expect(b.size).toBeGreaterThan(0);
      expect([...a].filter((id) => b.has(id))).toEqual([]);
      for (const x of executors) expect([...x.starts.values()].every((n) => n === 1)).toBe(true);
      const runs = await ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
      expect(a.size + b.size).toBe(runs.length);

      const rounds = await ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
      expect(rounds.map((r) => r.kind)).toEqual(['group', 'group', 'group', 'knockout', 'knockout', 'knockout', 'boss']);
      const decided = await ds.query(`SELECT "subjectId", count(*)::int AS n FROM audit_events WHERE action = 'round.decided' GROUP BY 1`);
      expect(decided).toHaveLength(rounds.length);
      expect(decided.every((row: { n: number }) => row.n === 1)).toBe(true);

      // The same outcome as one worker: miner 0 (uid 1) is the best and gets the largest weight.
      const preview = await workers[1].app.get(WeightsPreviewService).preview();
      expect(preview.vector.uids[preview.vector.weights.indexOf(Math.max(...preview.vector.weights))]).toBe(1);
    } finally {
      await workers[1].app.close();
      await cleanup(e, workers[0]);
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
  describe('nobody stalls a round', () => {
    const miners = Array.from({ length: 3 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` }));

    it('a miner whose repository cannot be written out fails as the miner, and the round is decided', async () => {
      const e = await env();
      // A 300-byte file name: git stores it, no Linux filesystem can (NAME_MAX 255).
      const bad = makeRawTreeRepo(path.join(e.dir, 'bad-repo'), [
        { name: 'crucible.json', content: JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] }) },
        { name: 'train.sh', content: 'exit 0\n', mode: '100755' },
        { name: 'x'.repeat(300), content: 'data' },
      ]);
      const sandboxRoot = path.join(e.dir, 'sandbox');
      const { executor: real } = makeDockerExecutor(sandboxRoot, `orch-${process.pid}`);
      const w = await worker(e, { executor: new RoutingExecutor(real, e.executor) });
      try {
        const t = await createClosedTournament(w.app);
        const entrants = await addEntrants(w.app, t.id, [...miners, { repoUrl: bad.url, commitSha: bad.sha }]);
        const badId = entrants.find((x) => x.repoUrl === bad.url)!.id;
        await w.runUntil(t.id, 'completed', 60);

        const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { entrantId: badId } });
        // Attempt budget 2 (rulebook default): two miner-caused failures on its one task, no infra retries.
        expect(runs.map((r) => [r.attempt, r.outcome])).toEqual([
          [1, 'miner_failed'],
          [2, 'miner_failed'],
        ]);
        expect(runs[0].outcomeReason).toMatch(/name longer than 255 bytes/);
        const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id } });
        expect(rounds.every((r) => r.state === 'decided')).toBe(true);
        // The host keeps nothing of runs that never started.
        expect(fs.readdirSync(path.join(sandboxRoot, 'runs')).length).toBe(0);
      } finally {
        await cleanup(e, w);
      }
    });

    it('a (task, entrant) failing for infrastructure reasons is given up after the total retry cap; the round is decided and the decision sealed', async () => {
      const e = await env();
      const executor = new InMemoryTrainingExecutor((job) => (job.repoUrl.includes('miner-2') ? { outcome: 'infra_failed' } : behaviour(job)));
      // Streak cap 1, total cap 4: attempts 1 (retried at once), 2 (streak 2: the round backs off, 0 s),
      // then 3, 4, 5 re-queued one by one; the 5th is the 4th retry, so the run is given up: 5 attempts.
      const w = await worker(e, { executor, env: { CRUCIBLE_MAX_INFRA_RETRIES: '1', CRUCIBLE_MAX_INFRA_RETRIES_TOTAL: '4', CRUCIBLE_INFRA_BACKOFF_SECONDS: '0' } });
      try {
        const t = await createClosedTournament(w.app);
        const entrants = await addEntrants(w.app, t.id, miners);
        const stuck = entrants.find((x) => x.repoUrl.includes('miner-2'))!;
        await w.runUntil(t.id, 'completed', 60);

        const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { entrantId: stuck.id }, order: { attempt: 'ASC' } });
        expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
        expect(runs.every((r) => r.outcome === 'infra_failed')).toBe(true);
        const events = await w.ds.getRepository(AuditEventEntity).find({ where: { action: 'round.decided_without_results' } });
        expect(events).toHaveLength(1);
        const payload = events[0].payload as { reason: string; givenUp: Array<{ entrantId: string; infraFailures: number }> };
        expect(payload.reason).toMatch(/infra retries exhausted/);
        expect(payload.givenUp).toEqual([expect.objectContaining({ entrantId: stuck.id, infraFailures: 5 })]);
      } finally {
        await cleanup(e, w);
      }
    });

    it('a round past its deadline is decided with the results it has; a late result is dropped', async () => {
      const e = await env();
      const held = (job: TrainingJob) => job.repoUrl.includes('miner-1');
      const executor = new InMemoryTrainingExecutor(behaviour, held);
      const clock = new ManualClock(new Date());
      const w = await worker(e, { executor, clock });
      try {
        // The round deadline comes from the rulebook's schedule (CRUCIBLE_ROUND_DEADLINE_MINUTES only for rulebooks without one).
        const t = await createClosedTournament(w.app, { schedule: { ...DEFAULT_SCHEDULE, registrationMinutes: 1, roundDeadlineMinutes: 60 } });
        const entrants = await addEntrants(w.app, t.id, miners);
        const slow = entrants.find((x) => x.repoUrl.includes('miner-1'))!;
        const runsOf = () => w.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
        // Tick until every run but the held one is finished (the round then waits on it).
        for (let i = 0; i < 200; i++) {
          await w.scheduler.tick();
          await new Promise((r) => setTimeout(r, 10));
          const open = (await runsOf()).filter((r) => r.state !== 'finished');
          if (open.length === 1 && open[0].entrantId === slow.id && open[0].state === 'running') break;
        }
        const [open] = (await runsOf()).filter((r) => r.state !== 'finished');
        expect(open).toMatchObject({ entrantId: slow.id, state: 'running' });
        await w.scheduler.tick();
        expect((await w.ds.getRepository(RoundEntity).findOneByOrFail({ tournamentId: t.id, index: 0 })).state).toBe('running');

        clock.advance(61 * 60_000);
        await w.scheduler.tick();
        const round = await w.ds.getRepository(RoundEntity).findOneByOrFail({ tournamentId: t.id, index: 0 });
        expect(round.state).toBe('decided');
        expect(round.decision).toMatchObject({ deadline: { closedRuns: [open.id] }, givenUp: [expect.objectContaining({ entrantId: slow.id })] });
        const closed = await w.ds.getRepository(TrainingRunEntity).findOneByOrFail({ id: open.id });
        expect(closed).toMatchObject({ state: 'finished', outcome: 'infra_failed' });
        expect(closed.outcomeReason).toMatch(/deadline passed/);

        // The container finishes after all: its result comes too late and changes nothing.
        executor.releaseAll();
        await w.dispatcher.drain();
        const after = await w.ds.getRepository(TrainingRunEntity).find({ where: { entrantId: slow.id, taskId: open.taskId } });
        expect(after.map((r) => [r.attempt, r.outcome])).toEqual([[1, 'infra_failed']]);
        const sealed = await w.ds.getRepository(AuditEventEntity).find({ where: { action: 'round.decided_without_results', subjectId: round.id } });
        expect((sealed[0].payload as { reason: string }).reason).toMatch(/deadline/);
        await w.runUntil(t.id, 'completed', 60);
      } finally {
        executor.releaseAll();
        await w.dispatcher.drain();
        await cleanup(e, w);
      }
    });
  });
});
