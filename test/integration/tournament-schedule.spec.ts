import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { InMemoryChainClient } from '../fakes/in-memory-chain-client';
import { WeightSetEntity } from '../../src/chain/weight-set.entity';
import { ManualClock } from '../../src/common/clock';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TypeScheduleDto } from '../../src/tournaments/schedule.dto';
import { ScheduleService } from '../../src/tournaments/schedule.service';
import { TournamentRepository } from '../../src/tournaments/tournament.repository';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

/*
 * Four simulated weeks of `crucible serve` with auto-scheduling on and nobody touching it: two
 * tournament types on different cadences, the in-memory runner and evaluator, an in-memory chain
 * whose blocks follow the simulated clock. The only outside actors are miners, who enter each
 * cycle while its registration is open (fresh repositories every cycle, as real miners would).
 *
 * The tick is 2 h and the chain's epoch is 2 h too (tempo 599: 600 blocks of 12 s), so "weights set
 * every epoch" means one weight set per tick once a tournament is decided.
 *
 * Schedule worked by hand (t in hours from T0; tick k runs at t = 2k):
 *   text: registration 24 h, gap 72 h, 2 entrants -> a knockout round then the boss round.
 *     cycle opens at t0; registration closes at t0+24 (the knockout round is created, its runs run
 *     at once); t0+26 the knockout is decided and the boss round created; t0+28 the boss round is
 *     decided and the tournament finalised, published, weights set and completed in the same tick;
 *     the next cycle opens at t0+28+72 = t0+100.
 *     Opens 0, 100, 200, 300, 400, 500, 600 (completes 628 <= 672): 7 cycles complete, cycle 8 is
 *     scheduled for 700. Rounds: 7 x 2 = 14.
 *   text-long: registration 48 h, gap 120 h, 1 entrant -> only the boss round.
 *     opens t0; closes t0+48 (boss round created and run); t0+50 decided and completed; next opens
 *     t0+50+120 = t0+170. Opens 0, 170, 340, 510 (completes 560): 4 cycles complete, cycle 5 is
 *     scheduled for 680. Rounds: 4 x 1 = 4.
 *   Weights: the first decided tournament is text cycle 1 at t=28 (k=14); from then on every tick's
 *     epoch gets exactly one weight set: k = 14..336, 323 weight sets (one setWeights extrinsic each).
 *
 * With the service stopped from after t=290 (k=145) to t=320 (k=160), 30 simulated hours:
 *   After the restart two workers share the database and each ticks once per tick, one after the
 *   other: the second worker decides a round whose runs the first one just ran, so a round takes one
 *   pass instead of one tick, and a text tournament completes 26 h after it opens (not 28), text-long
 *   48 h (not 50).
 *   text cycle 4 was planned to open at 300, inside the outage: it opens once, late, at 320, with its
 *     full registration window (closes 344, not 324); completes 346; cycle 5 opens 346+72 = 418
 *     (completes 444), 6 at 516 (542), 7 at 614 (640); cycle 8 is scheduled for 712.
 *     Still 7 complete, 14 rounds, 8 tournaments: no duplicate.
 *   text-long is in its gap across the outage (cycle 2 completed at 220, cycle 3 opens at 340 as
 *     planned); cycle 3 completes at 388, cycle 4 opens 508 and completes 556, cycle 5 is scheduled
 *     for 676 (> 672). Still 4 complete.
 *   Weights: k = 14..145 (132) and k = 160..336 (177): 309 weight sets; none for the epochs while stopped.
 */

const H = 3600_000;
const T0 = new Date('2027-01-04T00:00:00Z');
const TICK_H = 2;
const TEMPO = 599;
const NETUID = 1;
const LAST_TICK = (28 * 24) / TICK_H; // 336

const ENTRANTS: Record<string, number> = { text: 2, 'text-long': 1 };

function loss(job: TrainingJob) {
  if (job.repoUrl.includes('baseline')) return { loss: 3.0 };
  const i = Number(/miner-(\d+)\.git/.exec(job.repoUrl)?.[1] ?? 0);
  return { loss: 2.0 + i * 0.01 };
}

interface Sim {
  db: TestDatabase;
  dir: string;
  clock: ManualClock;
  chain: InMemoryChainClient;
  executor: InMemoryTrainingExecutor;
  taskData: FakeTaskDataService;
  workers: WorkerHandle[];
  entered: Set<string>;
}

async function setUp(): Promise<Sim> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-schedule-'));
  const chain = new InMemoryChainClient(NETUID, 'validator');
  chain.hyper = { ...chain.hyper, tempo: TEMPO };
  chain.addNeuron('validator', 'validator-cold');
  return {
    db: await createTestDatabase('postgres'),
    dir,
    clock: new ManualClock(T0),
    chain,
    executor: new InMemoryTrainingExecutor(loss),
    taskData: new FakeTaskDataService(path.join(dir, 'eval')),
    workers: [],
    entered: new Set(),
  };
}

function worker(s: Sim, id: string): Promise<WorkerHandle> {
  fs.writeFileSync(path.join(s.dir, 'mnemonic'), '//Alice\n');
  return startWorker({
    db: s.db.config,
    dataDir: s.dir,
    executor: s.executor,
    taskData: s.taskData,
    clock: s.clock,
    chain: s.chain,
    env: {
      CRUCIBLE_WORKER_ID: id,
      CRUCIBLE_AUTO_SCHEDULE: 'true',
      CRUCIBLE_TOURNAMENT_TYPES: 'text,text-long',
      // Both types on causal-lm alone, cycled (no tournamentTypes draw): the fake task data scores losses.
      CRUCIBLE_RULEBOOK_OVERRIDES: JSON.stringify({ pools: { text: 0.6, 'text-long': 0.4 }, tournamentTaskTypes: { text: ['causal-lm'], 'text-long': ['causal-lm'] }, tournamentTypes: {} }),
      CRUCIBLE_SCHEDULE_TEXT: 'registrationMinutes=1440,gapHours=72',
      CRUCIBLE_SCHEDULE_TEXT_LONG: 'registrationMinutes=2880,gapHours=120',
      CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
      CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
      CRUCIBLE_CHAIN_ENDPOINT: 'ws://127.0.0.1:9',
      CRUCIBLE_MNEMONIC_FILE: path.join(s.dir, 'mnemonic'),
      CRUCIBLE_WEIGHTS_DRY_RUN: 'false',
      CRUCIBLE_NETUID: String(NETUID),
      CRUCIBLE_OWNER_UID: '0',
      CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=16',
    },
  });
}

/** Moves the clock and the chain to tick k, lets miners enter open registrations, then every worker ticks. */
async function tickAt(s: Sim, k: number): Promise<void> {
  s.clock.set(new Date(T0.getTime() + k * TICK_H * H));
  s.chain.block = Math.max(s.chain.block, k * (TEMPO + 1) + 1);
  const ds = s.workers[0].ds;
  for (const t of await ds.getRepository(TournamentEntity).find({ where: { state: 'registration' } })) {
    if (s.entered.has(t.id)) continue;
    s.entered.add(t.id);
    const n = ENTRANTS[t.type];
    // New miners every cycle (the defending champion's hotkey is already in the field).
    const miners = Array.from({ length: n }, (_, i) => {
      const hotkey = `${t.type}-c${t.cycle}-hotkey-${i}`;
      return { repoUrl: `https://example.org/${t.type}-c${t.cycle}-miner-${i}.git`, hotkey, uid: s.chain.addNeuron(hotkey, `cold-${hotkey}`).uid };
    });
    await addEntrants(s.workers[0].app, t.id, miners);
  }
  for (const w of s.workers) await w.step();
}

async function tearDown(s: Sim): Promise<void> {
  for (const w of s.workers) await w.app.close();
  await s.db.drop();
  fs.rmSync(s.dir, { recursive: true, force: true });
}

interface Observed {
  tournaments: Record<string, { completed: number; scheduled: number; total: number }>;
  rounds: Record<string, number>;
  weightSets: number;
  setWeightsExtrinsics: number;
  /** Per cycle on record: planned opening, actual opening (hours from T0). */
  openings: Array<{ type: string; cycle: number; plannedH: number; actualH: number }>;
}

async function observe(s: Sim): Promise<Observed> {
  const ds = s.workers[0].ds;
  const all = await ds.getRepository(TournamentEntity).find({ order: { type: 'ASC', cycle: 'ASC' } });
  const rounds = await ds.getRepository(RoundEntity).find();
  const opened = await ds.getRepository(AuditEventEntity).find({ where: { action: 'tournament.registration' } });
  const openedAt = new Map(opened.map((e) => [e.subjectId, e.occurredAt.getTime()]));
  const hours = (ms: number) => (ms - T0.getTime()) / H;
  const tournaments: Observed['tournaments'] = {};
  const roundCount: Record<string, number> = {};
  for (const t of all) {
    const o = (tournaments[t.type] ??= { completed: 0, scheduled: 0, total: 0 });
    o.total++;
    if (t.state === 'completed') o.completed++;
    if (t.state === 'scheduled') o.scheduled++;
    roundCount[t.type] = (roundCount[t.type] ?? 0) + rounds.filter((r) => r.tournamentId === t.id).length;
  }
  return {
    tournaments,
    rounds: roundCount,
    weightSets: await ds.getRepository(WeightSetEntity).count({ where: { netuid: NETUID } }),
    setWeightsExtrinsics: s.chain.sent.filter((x) => x.call === 'setWeights').length,
    openings: all
      .filter((t) => t.state !== 'scheduled')
      // A cycle created when its opening was already due starts in registration (no transition event).
      .map((t) => ({ type: t.type, cycle: t.cycle, plannedH: hours(t.registrationOpensAt.getTime()), actualH: hours(openedAt.get(t.id) ?? t.registrationOpensAt.getTime()) })),
  };
}

describe('multi-day tournaments that run themselves (simulated clock)', () => {
  jest.setTimeout(600_000);

  it('four weeks, two cadences: every cycle completes on time and weights are set every epoch', async () => {
    const s = await setUp();
    try {
      s.workers.push(await worker(s, 'w1'));
      for (let k = 0; k <= LAST_TICK; k++) await tickAt(s, k);
      const o = await observe(s);
      expect(o.tournaments).toEqual({ text: { completed: 7, scheduled: 1, total: 8 }, 'text-long': { completed: 4, scheduled: 1, total: 5 } });
      expect(o.rounds).toEqual({ text: 14, 'text-long': 4 });
      expect(o.openings.filter((x) => x.type === 'text').map((x) => x.plannedH)).toEqual([0, 100, 200, 300, 400, 500, 600]);
      expect(o.openings.filter((x) => x.type === 'text-long').map((x) => x.plannedH)).toEqual([0, 170, 340, 510]);
      for (const x of o.openings) expect(x.actualH - x.plannedH).toBeLessThanOrEqual(TICK_H);
      expect(o.weightSets).toBe(323);
      expect(o.setWeightsExtrinsics).toBe(323);
      const next = await s.workers[0].ds.getRepository(TournamentEntity).find({ where: { state: 'scheduled' }, order: { type: 'ASC' } });
      expect(next.map((t) => [t.type, t.cycle, (t.registrationOpensAt.getTime() - T0.getTime()) / H])).toEqual([
        ['text', 8, 700],
        ['text-long', 5, 680],
      ]);
      const schedule = await fetchSchedule(s.workers[0], s.clock);
      expect(schedule.map((x) => [x.type, x.cycles[0].cycle, x.cycles[0].opensAt])).toEqual([
        ['text', 8, new Date(T0.getTime() + 700 * H).toISOString()],
        ['text-long', 5, new Date(T0.getTime() + 680 * H).toISOString()],
      ]);
      // The cycle after text's cycle 8: it opens 24 h (registration) + 72 h (gap) after cycle 8 opens at the earliest.
      expect(schedule[0].cycles[1].opensAt).toBe(new Date(T0.getTime() + (700 + 96) * H).toISOString());
    } finally {
      await tearDown(s);
    }
  });

  it('stopped for 30 simulated hours: the missed cycle starts once, late, and nothing is doubled (two workers after the restart)', async () => {
    const s = await setUp();
    try {
      s.workers.push(await worker(s, 'w1'));
      for (let k = 0; k <= 145; k++) await tickAt(s, k);
      await s.workers.pop()!.app.close();
      s.clock.set(new Date(T0.getTime() + 320 * H));
      s.workers.push(await worker(s, 'w1'), await worker(s, 'w2'));
      for (let k = 160; k <= LAST_TICK; k++) await tickAt(s, k);
      const o = await observe(s);
      expect(o.tournaments).toEqual({ text: { completed: 7, scheduled: 1, total: 8 }, 'text-long': { completed: 4, scheduled: 1, total: 5 } });
      expect(o.rounds).toEqual({ text: 14, 'text-long': 4 });
      const late = o.openings.filter((x) => x.actualH - x.plannedH > TICK_H);
      expect(late).toEqual([{ type: 'text', cycle: 4, plannedH: 300, actualH: 320 }]);
      expect(o.openings.filter((x) => x.type === 'text').map((x) => x.actualH)).toEqual([0, 100, 200, 320, 418, 516, 614]);
      expect(o.openings.filter((x) => x.type === 'text-long').map((x) => x.actualH)).toEqual([0, 170, 340, 508]);
      const next = await s.workers[0].ds.getRepository(TournamentEntity).find({ where: { state: 'scheduled' }, order: { type: 'ASC' } });
      expect(next.map((t) => [t.type, t.cycle, (t.registrationOpensAt.getTime() - T0.getTime()) / H])).toEqual([
        ['text', 8, 712],
        ['text-long', 5, 676],
      ]);
      const lateCycle = await s.workers[0].ds.getRepository(TournamentEntity).findOneByOrFail({ type: 'text', cycle: 4 });
      expect((lateCycle.registrationClosesAt.getTime() - T0.getTime()) / H).toBe(344);
      // Epochs 14..336 less the 14 epochs of the outage (146..159): 309. The two new workers' boot ticks
      // race the first scheduled tick after the restart, and once in a while one more epoch at that
      // boundary gets its set: 309 or 310, and never two sets for one epoch (unique per netuid and epoch).
      expect([309, 310]).toContain(o.weightSets);
      expect(o.setWeightsExtrinsics).toBe(o.weightSets);
    } finally {
      await tearDown(s);
    }
  });
});

/** What GET /api/schedule answers (the api role serves it; these workers run the worker role). */
function fetchSchedule(w: WorkerHandle, clock: ManualClock): Promise<TypeScheduleDto[]> {
  return new ScheduleService(w.app.get(TournamentRepository), w.config, clock).upcoming().then((list) => list.map(TypeScheduleDto.from));
}
