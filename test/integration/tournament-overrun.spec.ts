import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { runAuditCommand } from '../../src/audit/audit-command';
import { AuditBundleBody, BundleEnvelope } from '../../src/audit/bundle-format';
import { ManualClock } from '../../src/common/clock';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { canonicalTestSplit, splitDataset } from '../../src/evaluation/datasets/split';
import type { PreparedTaskData, TaskDataRequest } from '../../src/evaluation/task-data';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

/*
 * Tournaments still playing when their time budget (`endsBy`) passes are finalised by the overrun
 * rule (src/scoring/overrun.ts), the reason is recorded and sealed, and the auditor re-derives the
 * same result from the bundles alone.
 */
/** Instant models, but the published test-set commitments are those of the real seeded splits (as in audit.spec.ts). */
class RealSplitTaskData extends FakeTaskDataService {
  private readonly registry = new DatasetRegistry();
  override async prepare(req: TaskDataRequest): Promise<PreparedTaskData> {
    const prepared = await super.prepare(req);
    const split = splitDataset(await this.registry.load(req.datasetId, req.seed), req.seed);
    return { ...prepared, testSetCommitment: createHash('sha256').update(canonicalTestSplit(split)).digest('hex') };
  }
}

const HOTKEYS = Array.from({ length: 4 }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}`);
const H = 3600_000;

describe('overrun: a tournament past endsBy is finalised by the documented rule', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  let executor: InMemoryTrainingExecutor;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-overrun-'));
    // Miner i's loss is 2 + 0.1 i (miner 0 is best); the baseline champion's is 3. "slow" repositories never finish by themselves.
    executor = new InMemoryTrainingExecutor(
      (job) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 + Number(/miner-(\d)/.exec(job.repoUrl)?.[1]) * 0.1 }),
      (job) => job.repoUrl.includes('slow'),
    );
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor,
      clock,
      taskData: new RealSplitTaskData(path.join(dir, 'eval')),
      env: {
        CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
        CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
        CRUCIBLE_OWNER_UID: '0',
        CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=16',
        CRUCIBLE_STATIC_METAGRAPH: HOTKEYS.map((h, i) => `${h}=${i + 1}`).join(','),
      },
    });
    await w.scheduler.tick(); // the start-up pass, before any tournament exists
  });

  afterAll(async () => {
    executor?.releaseAll();
    await w?.dispatcher.drain();
    await w?.app.close();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** One scheduler pass; waits until only the held runs are still in flight. */
  async function tickLeaving(held: number): Promise<void> {
    await w.scheduler.tick();
    for (let i = 0; i < 200 && w.dispatcher.activeRuns > held; i++) await new Promise((r) => setTimeout(r, 10));
    expect(w.dispatcher.activeRuns).toBe(held);
  }

  /** The held runs end now: their results come after the overrun closed them and are dropped. */
  async function releaseHeld(): Promise<void> {
    executor.releaseAll();
    await w.dispatcher.drain();
  }

  async function state(id: string): Promise<string> {
    return (await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id })).state;
  }

  async function entrantIds(tournamentId: string): Promise<Record<string, string>> {
    const rows = await w.ds.getRepository(EntrantEntity).find({ where: { tournamentId } });
    return Object.fromEntries(rows.map((e) => [e.isChampion ? 'champion' : /(miner-\d)/.exec(e.repoUrl)![1], e.id]));
  }

  it('a knockout round in progress is decided on the tasks that finished, the next round is not played, the champion defends', async () => {
    clock.set(new Date());
    // createClosedTournament: registration opened an hour ago (wall clock) for 1 minute; endsBy 2 h after it closed, so about 61 min from now.
    const t = await createClosedTournament(w.app, { ...schedule(2), bossTasks: 3 });
    // Seeding = submission order: miner-0, miner-1, miner-2, miner-3 -> knockout pairs (miner-0, miner-3) and (miner-1, miner-2).
    await addEntrants(w.app, t.id, [0, 1, 2, 3].map((i) => ({ repoUrl: `https://example.org/miner-${i}${i === 3 ? '-slow' : ''}.git` })));
    await tickLeaving(1); // round 0 created, 3 of its 4 runs finish, miner-3's keeps running
    clock.advance(3 * H); // past endsBy
    await w.scheduler.tick(); // one pass: overrun rule, finalised, published, weights set, completed
    expect(await state(t.id)).toBe('completed');

    const id = await entrantIds(t.id);
    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    // By the rule, worked by hand: pair 0 is decided on miner-0's finished run (miner-3's run is closed with no result): miner-0
    // advances; pair 1 as usual: miner-1 (2.1) beats miner-2 (2.2). Round 1 (miner-0 vs miner-1) is not played: the baseline
    // champion keeps the title; miner-0 and miner-1 rank next in their seeding, then round 0's losers (valid before invalid).
    expect(final.winnerEntrantId).toBe(id.champion);
    expect(final.ranking).toEqual([id.champion, id['miner-0'], id['miner-1'], id['miner-2'], id['miner-3']]);
    expect(final.overrun).toMatchObject({ endsBy: t.endsBy.toISOString(), decidedRounds: 1 });
    expect(final.overrun!.reason).toMatch(/time budget passed .*round 1 \(knockout\) was not played/);
    const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id } });
    expect(rounds.map((r) => [r.index, r.kind, r.state])).toEqual([[0, 'knockout', 'decided']]);
    await releaseHeld();
  });

  it('a boss round that cannot finish is closed undecided: the champion defends, the challenger ranks second', async () => {
    clock.set(new Date());
    const t = await createClosedTournament(w.app, { ...schedule(2), bossTasks: 3 });
    await addEntrants(w.app, t.id, [{ repoUrl: 'https://example.org/miner-0-slow.git' }]);
    // One challenger: straight to the boss round (3 tasks); the champion's 3 runs finish, the challenger's 3 keep running.
    await tickLeaving(3);
    clock.advance(3 * H);
    await w.scheduler.tick();
    expect(await state(t.id)).toBe('completed');

    const id = await entrantIds(t.id);
    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.winnerEntrantId).toBe(id.champion);
    expect(final.ranking).toEqual([id.champion, id['miner-0']]);
    expect(final.overrun).toMatchObject({ decidedRounds: 0 });
    expect(final.overrun!.reason).toMatch(/the boss round could not finish: the champion defends/);
    const [boss] = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id } });
    expect(boss).toMatchObject({ kind: 'boss', state: 'decided', advancing: [] });
    expect(boss.decision?.verdict).toBeUndefined();
    await releaseHeld();
  });

  it('the reasons are sealed, and the auditor re-derives both tournaments from the bundles: audit OK', async () => {
    // Let the next day's bundle seal every event (the daily bundle covers the UTC day that ended).
    clock.advance(26 * H);
    await w.step();
    const bundleDir = path.join(w.config.dataDir, 'audit');
    const bodies = fs
      .readdirSync(bundleDir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => JSON.parse((JSON.parse(fs.readFileSync(path.join(bundleDir, n), 'utf8')) as BundleEnvelope).body) as AuditBundleBody);
    const sealed = bodies.flatMap((b) => b.tournaments ?? []).filter((t) => t.overrun);
    expect(new Set(sealed.map((t) => t.id)).size).toBe(2);
    const events = bodies.flatMap((b) => b.events ?? []).filter((e) => e.action === 'tournament.overrun');
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.payload.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/champion defends/), expect.stringMatching(/was not played/)]));

    const lines: string[] = [];
    const code = await runAuditCommand({ source: bundleDir, days: 7, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).not.toMatch(/^FAIL/m);
    expect(text).toContain('audit: OK');
    expect(code).toBe(0);
  });
});

function schedule(maxDurationHours: number) {
  return { schedule: { registrationMinutes: 1, maxDurationHours, gapHours: 0, roundDeadlineMinutes: 24 * 60 } };
}
