import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EventFeed } from '../../src/events/event-feed.service';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { openEventStream, SseEvent } from '../support/sse-client';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { Behaviour, FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

const BASELINE = { CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git', CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40) };
// Weights pay the uids of the metagraph: addEntrants' hotkey-NNNN is uid NNNN + 1.
const METAGRAPH = { CRUCIBLE_STATIC_METAGRAPH: Array.from({ length: 140 }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}=${i + 1}`).join(',') };

function behaviour(job: TrainingJob): Behaviour {
  const i = Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 0);
  if (i % 7 === 6) return { outcome: 'miner_failed' };
  return { loss: 2.0 + i * 0.001 };
}

/**
 * The worker role changes runs; an API-role app on the same PostgreSQL database, sharing nothing
 * with it but the database (as in production, where they are separate processes), serves the stream.
 */
describe('live events (GET /api/events)', () => {
  let db: TestDatabase;
  let dir: string;
  let workers: WorkerHandle[];
  let api: WorkerHandle;
  let base: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-events-'));
    const taskData = new FakeTaskDataService(path.join(dir, 'eval'));
    workers = [];
    for (const id of ['worker-a', 'worker-b']) {
      workers.push(
        await startWorker({
          db: db.config,
          dataDir: dir,
          executor: new InMemoryTrainingExecutor(behaviour),
          taskData,
          env: { ...BASELINE, ...METAGRAPH, CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', CRUCIBLE_WORKER_ID: id },
        }),
      );
    }
    api = await startWorker({
      db: db.config,
      dataDir: dir,
      role: 'api',
      env: { CRUCIBLE_EVENTS_POLL_MS: '20', CRUCIBLE_EVENTS_HEARTBEAT_MS: '100', CRUCIBLE_EVENTS_CLIENT_MAX_LAG: '20' },
    });
    await api.app.listen(0, '127.0.0.1');
    base = await api.app.getUrl();
  });

  afterAll(async () => {
    await api?.app.close();
    for (const w of workers ?? []) await w.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const outbox = async (): Promise<Array<{ id: number; type: string; data: Record<string, unknown> }>> =>
    (await api.ds.query(`SELECT id, type, data FROM events ORDER BY id`)).map((r: { id: string; type: string; data: Record<string, unknown> }) => ({ ...r, id: Number(r.id) }));

  it('a client that drops and resumes with Last-Event-ID misses nothing of a tournament run by two workers (>= 1,000 events)', async () => {
    const t = await createClosedTournament(workers[0].app);
    await addEntrants(workers[0].app, t.id, Array.from({ length: 140 }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));

    const received: SseEvent[] = [];
    let stop = false;
    let reconnects = 0;
    // Reads 150 events at a time, then drops the connection; resumes by header and by query in turn.
    const reader = (async () => {
      let last = 0;
      while (!stop) {
        const url = reconnects % 2 === 1 ? `${base}/api/events?lastEventId=${last}` : `${base}/api/events`;
        const client = openEventStream(url, reconnects % 2 === 0 ? { 'Last-Event-ID': String(last) } : {});
        expect(await client.status).toBe(200);
        await Promise.race([client.waitFor(150), new Promise((r) => setTimeout(r, 300))]);
        client.close();
        await client.ended;
        received.push(...client.events);
        if (client.events.length > 0) last = client.events[client.events.length - 1].id;
        reconnects++;
      }
    })();

    let state = '';
    for (let tick = 0; tick < 500 && state !== 'completed'; tick++) {
      await Promise.all(workers.map((w) => w.step()));
      state = (await workers[0].ds.query(`SELECT state FROM tournaments WHERE id = $1`, [t.id]))[0].state;
    }
    expect(state).toBe('completed');
    const rows = await outbox();
    const lastId = rows[rows.length - 1].id;
    while (received.length === 0 || received[received.length - 1].id < lastId) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await reader;

    // Exactly the outbox, in order, once each, although the connection dropped many times.
    expect(rows.length).toBeGreaterThanOrEqual(1000);
    expect(reconnects).toBeGreaterThan(rows.length / 150);
    expect(received.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(received.map((e) => [e.event, e.data])).toEqual(rows.map((r) => [r.type, r.data]));

    // And the outbox holds every change: checked against the runs and rounds the workers left.
    const runs = await api.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    const hotkeys = new Map<string, string>(
      (await api.ds.query(`SELECT id, hotkey FROM entrants WHERE "tournamentId" = $1`, [t.id])).map((e: { id: string; hotkey: string }) => [e.id, e.hotkey]),
    );
    for (const run of runs) {
      const mine = received.filter((e) => e.event === 'run' && e.data.runId === run.id).map((e) => e.data);
      expect(mine[0]).toMatchObject({ state: 'queued', tournamentId: t.id, hotkey: hotkeys.get(run.entrantId) ?? null });
      expect(mine[mine.length - 1]).toMatchObject({ state: 'finished', outcome: run.outcome, reason: run.outcomeReason });
      expect(typeof mine[0].roundId).toBe('string');
    }
    const rounds = await api.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id } });
    const decided = received.filter((e) => e.event === 'round' && e.data.decided === true).map((e) => e.data.roundId);
    expect(decided.sort()).toEqual(rounds.map((r) => r.id).sort());
    const states = received.filter((e) => e.event === 'tournament' && e.data.tournamentId === t.id).map((e) => e.data.state);
    expect(states[states.length - 1]).toBe('completed');
    expect(received.some((e) => e.event === 'weights')).toBe(true);
  });

  it('never passes over an id whose transaction is still open, and skips one that rolled back', async () => {
    const feed = api.app.get(EventFeed);
    const ds = api.app.get(DataSource);
    const note = (id: string, fields: Partial<TrainingRunEntity>, manager = ds.manager) => manager.getRepository(TrainingRunEntity).update({ id }, fields);
    const [one, two] = await ds.getRepository(TrainingRunEntity).find({ take: 2, order: { id: 'ASC' } });
    await feed.poll();
    const start = feed.frontier;

    // Transaction A takes the next id and stays open; B takes the one after and commits.
    const a = ds.createQueryRunner();
    await a.connect();
    await a.startTransaction();
    await note(one.id, { outcomeReason: 'a', outcome: 'timed_out' }, a.manager);
    await note(two.id, { outcomeReason: 'b', outcome: 'oom_killed' });
    await feed.poll();
    expect(feed.frontier).toBe(start);

    await a.commitTransaction();
    await feed.poll();
    expect(feed.frontier).toBe(start + 2);
    expect(feed.recent(start, 10)!.map((e) => e.id)).toEqual([start + 1, start + 2]);

    // C takes an id and rolls back; D commits after it: D is delivered once C has ended.
    const c = ds.createQueryRunner();
    await c.connect();
    await c.startTransaction();
    await note(one.id, { outcome: 'miner_failed' }, c.manager);
    await note(two.id, { outcome: 'succeeded' });
    await feed.poll();
    expect(feed.frontier).toBe(start + 2);
    await c.rollbackTransaction();
    // Settled once every transaction open when the gap was seen has ended: xids are server-wide, so other
    // suites' transactions, on any database of this server, may hold it back for a while (never past it).
    for (let i = 0; i < 700 && feed.frontier < start + 4; i++) await feed.poll().then(() => new Promise((r) => setTimeout(r, 100)));
    expect(feed.frontier).toBe(start + 4);
    expect(feed.recent(start + 2, 10)!.map((e) => [e.id, (e.data as { outcome: string }).outcome])).toEqual([[start + 4, 'succeeded']]);
    await a.release();
    await c.release();
  });

  it('filters by tournament and sends heartbeats while idle', async () => {
    const [{ id: tournamentId }] = await api.ds.query(`SELECT id FROM tournaments LIMIT 1`);
    const lastId = (await outbox()).at(-1)!.id;
    const mine = openEventStream(`${base}/api/events?tournamentId=${tournamentId}&lastEventId=0`);
    const other = openEventStream(`${base}/api/events?tournamentId=${randomUUID()}&lastEventId=0`);
    const all = (await outbox()).filter((r) => r.data.tournamentId === tournamentId);
    await mine.waitFor(all.length);
    await new Promise((r) => setTimeout(r, 300));
    mine.close();
    other.close();
    expect(mine.events.map((e) => e.id)).toEqual(all.map((r) => r.id));
    expect(mine.events.every((e) => e.event !== 'weights')).toBe(true);
    expect(other.events).toEqual([]);
    expect(other.comments).toContain('heartbeat');
    expect(lastId).toBeGreaterThan(0);
  });

  it('disconnects a client that stops reading once it falls behind; it resumes where it was', async () => {
    const feed = api.app.get(EventFeed);
    const server = api.app.getHttpServer();
    const connections = () => new Promise<number>((resolve, reject) => server.getConnections((e: Error | null, n: number) => (e ? reject(e) : resolve(n))));
    const [run] = await api.ds.getRepository(TrainingRunEntity).find({ take: 1, order: { id: 'ASC' } });
    await api.ds.query(`UPDATE training_runs SET outcome = 'infra_failed' WHERE id = $1`, [run.id]);
    await feed.poll();
    const from = feed.frontier;
    const before = await connections();
    const slow = openEventStream(`${base}/api/events?lastEventId=${from}`);
    expect(await slow.status).toBe(200);
    slow.socket()!.pause(); // reads nothing: the kernel's buffers fill, then the server's
    // Events of about 200 KB each until the server drops the stream: far more than the socket buffers
    // hold, so the server stops writing, and then more than 20 (the lag bound) behind it.
    const big = 'x'.repeat(200_000);
    let sent = 0;
    while ((await connections()) > before && sent < 500) {
      await api.ds.query(`UPDATE training_runs SET outcome = $2, "outcomeReason" = $3 WHERE id = $1`, [run.id, sent % 2 ? 'timed_out' : 'oom_killed', `${sent} ${big}`]);
      sent++;
      await feed.poll();
    }
    expect(await connections()).toBe(before);
    slow.socket()!.resume();
    await slow.ended;
    expect(slow.events.length).toBeLessThan(sent);
    // The feed has read everything, so the resumed client only catches up (nothing arrives meanwhile).
    const resumed = openEventStream(`${base}/api/events`, { 'Last-Event-ID': String(slow.events.at(-1)?.id ?? from) });
    await resumed.waitFor(sent - slow.events.length);
    resumed.close();
    const reasons = [...slow.events, ...resumed.events].map((e) => Number(String(e.data.reason).split(' ')[0]));
    expect(reasons).toEqual(Array.from({ length: sent }, (_, i) => i));
  });

  it('refuses a malformed Last-Event-ID, lastEventId or tournamentId with the error envelope', async () => {
    const res = await fetch(`${base}/api/events`, { headers: { 'Last-Event-ID': 'abc' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', details: { fields: ['lastEventId'] } });
    for (const query of ['lastEventId=-1', 'lastEventId=1e3', 'lastEventId=99999999999999999999', 'tournamentId=x', 'tournamentId=%00', 'other=1']) {
      const bad = await fetch(`${base}/api/events?${query}`);
      expect([query, bad.status]).toEqual([query, 400]);
      expect(await bad.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
  });
});
