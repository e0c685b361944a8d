import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../../src/config/app-config';
import { EvaluationEntity } from '../../src/evaluation/evaluation.entity';
import type { TaskType } from '../../src/evaluation/task-data';
import { createApp } from '../../src/main';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import type { RunOutcome, RunState } from '../../src/runs/run-state';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TaskEntity } from '../../src/tournaments/task.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { ADMIN_TOKEN } from '../support/app';
import { createTestDatabase, ENGINES, TestDatabase } from '../support/databases';
import { addEntrants } from '../support/tournaments';

/**
 * The leaderboard served from maintained standings: the expected boards below are worked by hand
 * from the recorded runs (not by the code under test), on both engines, across a restart.
 */
describe.each(ENGINES)('leaderboard standings on %s', (engine) => {
  let db: TestDatabase;
  let dataDir: string;
  let app: NestExpressApplication;
  let tournamentId: string;
  let createdState: string;
  const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  const taskOne = randomUUID();
  const taskTwo = randomUUID();
  const runIds = new Map<string, string>();

  const start = async (): Promise<void> => {
    const config = loadConfig({
      CRUCIBLE_DATA_DIR: dataDir,
      CRUCIBLE_ADMIN_TOKEN: ADMIN_TOKEN,
      CRUCIBLE_LOG_LEVEL: 'error',
      CRUCIBLE_AUTO_SCHEDULE: 'false',
      ...(db.config.url ? { DATABASE_URL: db.config.url } : { CRUCIBLE_EMBEDDED_DB_DIR: db.config.embeddedDir }),
    });
    app = await createApp(config, 'api');
    await app.init();
  };
  const http = () => request(app.getHttpServer());
  const board = () => http().get(`/api/tournaments/${tournamentId}/leaderboard`);
  const ds = () => app.get(DataSource);

  /** A run of `entrant` on `task` in `state`; a succeeded run also gets its evaluation (metric). */
  const record = async (entrant: 'A' | 'B' | 'C', task: string, state: RunState, outcome: RunOutcome | null = null, metric?: number): Promise<void> => {
    const runs = ds().getRepository(TrainingRunEntity);
    const key = `${entrant}:${task}`;
    const finished = state === 'finished' ? new Date('2026-01-02T00:00:00Z') : null;
    if (runIds.has(key)) {
      await runs.update({ id: runIds.get(key) }, { state, outcome, finishedAt: finished });
    } else {
      const run = await runs.save(
        runs.create({ tournamentId, taskId: task, entrantId: ids[entrant], attempt: 1, state, outcome, hardware: 'cpu-2', queuedAt: new Date('2026-01-01T12:00:00Z'), finishedAt: finished }),
      );
      runIds.set(key, run.id);
    }
    if (metric === undefined) return;
    const evaluations = ds().getRepository(EvaluationEntity);
    await evaluations.insert(
      evaluations.create({
        taskId: task,
        runId: runIds.get(key),
        metricName: 'cross_entropy_nats',
        metricValue: metric,
        accuracy: null,
        exampleCount: 10,
        lossesPath: '/dev/null',
        lossesSha256: '0'.repeat(64),
        modelSha256: '1'.repeat(64),
        evaluatorVersion: 'test',
        executionProvider: 'cpu',
        causality: null,
      }),
    );
  };

  type Row = [entrant: 'A' | 'B' | 'C', rank: number, stillIn: boolean, tasksScored: number, meanMetric: number | null, succeeded: number, failed: number, active: number];
  const expectBoard = (body: { tournamentId: string; state: string; entries: Record<string, unknown>[] }, state: string, rows: Row[]): void => {
    expect(body.tournamentId).toBe(tournamentId);
    expect(body.state).toBe(state);
    expect(body.entries.map((e) => [e.entrantId, e.rank, e.stillIn, e.tasksScored, e.meanMetric, e.runsSucceeded, e.runsFailed, e.runsActive])).toEqual(
      rows.map(([who, ...rest]) => [ids[who], ...rest]),
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-standings-'));
    await start();
    const created = await http().post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ type: 'text' });
    expect(created.status).toBe(201);
    tournamentId = created.body.id;
    createdState = created.body.state;
    // Received one second apart, A first (support/tournaments.ts).
    const entrants = await addEntrants(app, tournamentId, [{ repoUrl: 'https://example.org/a.git' }, { repoUrl: 'https://example.org/b.git' }, { repoUrl: 'https://example.org/c.git' }]);
    [ids.A, ids.B, ids.C] = entrants.map((e) => e.id);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers an unchanged leaderboard with 304 to its ETag, and a changed one with the new standings', async () => {
    const first = await board();
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    // Nothing scored: every entrant still in, ordered by submission time.
    expectBoard(first.body, createdState, [
      ['A', 1, true, 0, null, 0, 0, 0],
      ['B', 2, true, 0, null, 0, 0, 0],
      ['C', 3, true, 0, null, 0, 0, 0],
    ]);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    const again = await board().set('if-none-match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');

    await record('A', taskOne, 'queued');
    await record('A', taskOne, 'running');
    await record('A', taskOne, 'finished', 'succeeded', 2.5);
    await record('B', taskOne, 'finished', 'succeeded', 2.0);
    await record('C', taskOne, 'finished', 'miner_failed');
    await record('A', taskTwo, 'finished', 'succeeded', 3.0);
    await record('B', taskTwo, 'running');
    await record('C', taskTwo, 'queued');

    const changed = await board().set('if-none-match', etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    // A: two scored tasks, (2.5 + 3.0) / 2 = 2.75; B: one, 2.0, one run still active;
    // C: one failed run, one queued, nothing scored. Lower mean first; no score last.
    expectBoard(changed.body, createdState, [
      ['B', 1, true, 1, 2.0, 1, 0, 1],
      ['A', 2, true, 2, 2.75, 2, 0, 0],
      ['C', 3, true, 0, null, 0, 1, 1],
    ]);
    expect((await board().set('if-none-match', changed.headers.etag as string)).status).toBe(304);
  });

  it('moves an eliminated entrant below those still in, and keeps its standings and ETag across a restart', async () => {
    await ds().getRepository(EntrantEntity).update({ id: ids.B }, { eliminatedInRound: 1 });
    const before = await board();
    // Still in first (A by its mean, then C without one), then B, out in round 1.
    expectBoard(before.body, createdState, [
      ['A', 1, true, 2, 2.75, 2, 0, 0],
      ['C', 2, true, 0, null, 0, 1, 1],
      ['B', 3, false, 1, 2.0, 1, 0, 1],
    ]);

    await app.close();
    await start();
    const after = await board().set('if-none-match', before.headers.etag as string);
    expect(after.status).toBe(304);
    expect((await board()).body).toEqual(before.body);

    // B's second task finishes after the restart: (2.0 + 4.0) / 2 = 3.0, nothing active.
    await record('B', taskTwo, 'finished', 'succeeded', 4.0);
    expectBoard((await board().set('if-none-match', before.headers.etag as string)).body, createdState, [
      ['A', 1, true, 2, 2.75, 2, 0, 0],
      ['C', 2, true, 0, null, 0, 1, 1],
      ['B', 3, false, 2, 3.0, 2, 0, 0],
    ]);
  });

  it('follows the final ranking once the tournament has one', async () => {
    await ds().getRepository(TournamentEntity).update({ id: tournamentId }, { state: 'finalised', ranking: [ids.C, ids.B, ids.A] });
    expectBoard((await board()).body, 'finalised', [
      ['C', 1, true, 0, null, 0, 1, 1],
      ['B', 2, false, 2, 3.0, 2, 0, 0],
      ['A', 3, true, 2, 2.75, 2, 0, 0],
    ]);
  });

  it('answers 404 for a tournament that does not exist', async () => {
    expect((await http().get(`/api/tournaments/${randomUUID()}/leaderboard`)).status).toBe(404);
  });

  it('folds many marks into one without changing the version', async () => {
    const { etag } = (await board()).headers as { etag: string };
    const marks = async (): Promise<{ n: number; total: string }> =>
      (await ds().query(`SELECT count(*)::int AS n, sum("weight")::text AS total FROM "standings_marks" WHERE "tournamentId" = $1`, [tournamentId]))[0];
    const total = Number((await marks()).total);
    // 40 claims that change nothing shown leave no mark; 40 eliminations and reinstatements of C do.
    for (let round = 0; round < 20; round += 1) {
      await ds().getRepository(EntrantEntity).update({ id: ids.C }, { eliminatedInRound: 9 });
      await ds().getRepository(EntrantEntity).update({ id: ids.C }, { eliminatedInRound: null });
      await ds().getRepository(TrainingRunEntity).update({ id: runIds.get(`C:${taskTwo}`) }, { state: 'starting' });
      await ds().getRepository(TrainingRunEntity).update({ id: runIds.get(`C:${taskTwo}`) }, { state: 'queued' });
    }
    expect(Number((await marks()).total)).toBe(total + 40);
    const next = await board();
    expect(next.headers.etag).not.toBe(etag);
    expect(await marks()).toEqual({ n: 1, total: String(total + 40) });
    expect((await board().set('if-none-match', next.headers.etag as string)).status).toBe(304);
  });

  it('orders by place in each task\'s metric direction (a higher reward first) and shows no mean across different metrics', async () => {
    // An image cycle: the text one above is still on record as the open cycle (the tasks below set the metrics).
    const created = await http().post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ type: 'image' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [x, y] = await addEntrants(app, id, [{ repoUrl: 'https://example.org/x.git' }, { repoUrl: 'https://example.org/y.git' }]);
    const round = await ds().getRepository(RoundEntity).save({ tournamentId: id, index: 0, kind: 'knockout', state: 'running', stateReason: null, advancing: null, decision: null, decidedAt: null });
    const task = async (slot: number, taskType: TaskType): Promise<string> =>
      (
        await ds().getRepository(TaskEntity).save({
          tournamentId: id, roundId: round.id, slot, taskType, datasetId: 'prompts-v1', baseModel: 'base:byte-lm-v1', timeLimitSeconds: 60, hardware: 'cpu-2',
          seedCommitment: 'a'.repeat(64), testSetCommitment: 'b'.repeat(64), secretSeed: 's', revealedSeed: null, revealedAt: null, spec: {}, trainDir: null,
        })
      ).id;
    const scored = async (entrantId: string, taskId: string, metricName: string, metricValue: number): Promise<void> => {
      const run = await ds().getRepository(TrainingRunEntity).save({ tournamentId: id, taskId, entrantId, attempt: 1, state: 'finished', outcome: 'succeeded', hardware: 'cpu-2', queuedAt: new Date(), finishedAt: new Date() });
      await ds().getRepository(EvaluationEntity).insert({
        taskId, runId: run.id, metricName, metricValue, accuracy: null, exampleCount: 10, lossesPath: '/dev/null', lossesSha256: '0'.repeat(64),
        modelSha256: '1'.repeat(64), evaluatorVersion: 'test', executionProvider: 'cpu', causality: null,
      });
    };
    const reward = await task(0, 'reward');
    const instruct = await task(1, 'instruct');
    // Reward task: y 0.9 places 0, x 0.2 places 1. Instruct task: x alone at 1.0, place 0.
    await scored(x.id, reward, 'reward', 0.2);
    await scored(y.id, reward, 'reward', 0.9);
    await scored(x.id, instruct, 'response_cross_entropy_nats', 1.0);
    // x: mean place (1 + 0) / 2 = 0.5, no mean metric (a reward and a loss); y: place 0, mean 0.9.
    // The raw means ascending (x (0.2 + 1.0) / 2 = 0.6 before y 0.9) would have put x first.
    const res = await http().get(`/api/tournaments/${id}/leaderboard`);
    expect(res.body.entries.map((e: Record<string, unknown>) => [e.entrantId, e.rank, e.meanPlace, e.meanMetric])).toEqual([
      [y.id, 1, 0, 0.9],
      [x.id, 2, 0.5, null],
    ]);
  });
});
