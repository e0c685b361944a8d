import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

const MINERS = 4;
const BASELINE = { CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git', CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40) };
const METAGRAPH = { CRUCIBLE_STATIC_METAGRAPH: Array.from({ length: MINERS }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}=${i + 1}`).join(',') };
/** A stand-in build of the dashboard: serving does not depend on what Vite wrote. */
const INDEX = '<!doctype html><title>dashboard</title><script type="module" src="/assets/app-1234.js"></script>';

describe('dashboard: pages at / beside the API, and its read-only routes (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  let http: ReturnType<typeof request>;
  let tournamentId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-dashboard-routes-'));
    const web = path.join(dir, 'web');
    fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(web, 'index.html'), INDEX);
    fs.writeFileSync(path.join(web, 'assets', 'app-1234.js'), 'console.log(1);');
    db = await createTestDatabase('postgres');
    // Miner i's loss is 2 + i/10 (miner 0 best); the baseline champion's is 3.
    const behaviour = (job: TrainingJob) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 + Number(/miner-(\d+)/.exec(job.repoUrl)![1]) / 10 });
    w = await startWorker({
      db: db.config,
      dataDir: dir,
      role: 'all',
      executor: new InMemoryTrainingExecutor(behaviour),
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: { ...BASELINE, ...METAGRAPH, CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', CRUCIBLE_WEB_DIR: web },
    });
    http = request(w.app.getHttpServer());
    const t = await createClosedTournament(w.app);
    tournamentId = t.id;
    await addEntrants(w.app, t.id, Array.from({ length: MINERS }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    await w.runUntil(t.id, 'completed');
  }, 180_000);

  afterAll(async () => {
    await w?.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the app for page URLs and its assets, and leaves the API, docs and health their own answers', async () => {
    for (const page of ['/', '/tournaments', `/tournaments/${tournamentId}`, '/runs/not-a-uuid', '/miners/hotkey-0000', '/weights', '/audit', '/admin']) {
      const res = await http.get(page);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/html');
      expect(res.text).toBe(INDEX);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const asset = await http.get('/assets/app-1234.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.text).toBe('console.log(1);');

    // Not pages: a missing asset, unknown API routes and other methods keep the API's JSON 404.
    for (const [method, url] of [['get', '/assets/missing.js'], ['get', '/api/nothing-here'], ['get', '/api'], ['post', '/tournaments']] as const) {
      const res = await http[method](url);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    }
    expect((await http.get('/health')).body).toMatchObject({ status: 'ok' });
    const metrics = await http.get('/metrics');
    expect(metrics.type).toBe('text/plain');
    expect(metrics.text).toContain('crucible_runs');
    expect((await http.get('/docs-json')).body.paths['/api/dashboard/tournaments/{id}/board']).toBeDefined();
    expect((await http.get(`/api/tournaments/${tournamentId}`)).body.id).toBe(tournamentId);
  });

  it('gives a tournament board: its transitions in lifecycle order, every run with its entrant and score, base-model scores', async () => {
    const res = await http.get(`/api/dashboard/tournaments/${tournamentId}/board`);
    expect(res.status).toBe(200);
    const board = res.body as { timeline: Array<{ step: string }>; rounds: Array<{ index: number; decidedAt: string | null }>; runs: Array<{ hotkey: string; state: string; metricValue: number | null; taskId: string }>; baselines: Array<{ metricValue: number }> };
    const lifecycle = ['rounds', 'boss_round', 'finalised', 'published', 'weights_set', 'completed'];
    expect(board.timeline.map((e) => e.step).filter((s) => lifecycle.includes(s))).toEqual(lifecycle);
    // 4 challengers: knockout of 2 pairs, knockout of 1 pair, then the boss round (rulebook default knockoutMax >= 4).
    expect(board.rounds.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(board.rounds.every((r) => r.decidedAt !== null)).toBe(true);
    expect(board.runs.every((r) => r.state === 'finished')).toBe(true);
    // Miner 0 (loss 2.0) plays every round: 1 + 1 + the boss tasks; each scored near 2.0 (the fake's wobble is under 0.004).
    const miner0 = board.runs.filter((r) => r.hotkey === 'hotkey-0000');
    expect(miner0.length).toBeGreaterThanOrEqual(3);
    for (const r of miner0) expect(r.metricValue).toBeCloseTo(2.0, 2);
    // Every task here is causal-lm, scored by cross-entropy: lower is better.
    const directions = Object.values((res.body as { directions: Record<string, string> }).directions);
    expect(directions.length).toBe(new Set(board.runs.map((r) => r.taskId)).size);
    expect(new Set(directions)).toEqual(new Set(['lower']));
    // The fake scores every base model at 5.545.
    expect(board.baselines.length).toBeGreaterThan(0);
    for (const b of board.baselines) expect(b.metricValue).toBeCloseTo(5.545, 2);
  });

  it('gives a run its context, a miner its entries and weights, the weight sets, and the audit recompute', async () => {
    const board = (await http.get(`/api/dashboard/tournaments/${tournamentId}/board`)).body as { runs: Array<{ runId: string; hotkey: string }> };
    const run = board.runs.find((r) => r.hotkey === 'hotkey-0001')!;
    const view = (await http.get(`/api/dashboard/runs/${run.runId}`)).body;
    expect(view).toMatchObject({ hotkey: 'hotkey-0001', repoUrl: 'https://example.org/miner-1.git', task: { taskType: 'causal-lm' } });
    expect(view.history.map((h: { state: string }) => h.state)).toEqual(['queued', 'running', 'evaluated', 'finished']);
    expect(view.evaluation.metricValue).toBeCloseTo(2.1, 2);

    const miner = (await http.get('/api/dashboard/miners/hotkey-0000')).body;
    expect(miner.entries).toHaveLength(1);
    expect(miner.entries[0]).toMatchObject({ tournamentId, won: true, finalRank: 1, status: 'accepted' });
    // One weight set (dry run) paid uid 1, the winner's, its largest share.
    expect(miner.weights).toHaveLength(1);
    expect(miner.weights[0].uid).toBe(1);
    const sets = (await http.get('/api/dashboard/weight-sets')).body;
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ status: 'dry_run', readBack: 'not_read' });
    const winnerShare = sets[0].values[sets[0].uids.indexOf(1)];
    expect(winnerShare).toBe(Math.max(...sets[0].values));

    const first = (await http.get('/api/dashboard/audit/recompute')).body;
    expect(first.ok).toBe(true);
    expect(first.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['envelopes', 'evaluations', 'rankings', 'weights']));
    // Kept until a new bundle is sealed.
    expect((await http.get('/api/dashboard/audit/recompute')).body.at).toBe(first.at);

    expect((await http.get('/api/dashboard/weight-sets?limit=0')).status).toBe(400);
    expect((await http.get('/api/dashboard/miners/not%20a%20hotkey')).status).toBe(400);
    expect((await http.get('/api/dashboard/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
