import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
// The parser has no type declarations: its output is typed below for what this test reads.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => MetricFamily[];
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

interface MetricFamily {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; sum?: string; buckets?: Record<string, string> }>;
}

/** Value of the series of `name` whose labels include `labels`; undefined when there is none. */
function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const series = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return series?.value === undefined ? undefined : Number(series.value);
}

async function scrape(base: string): Promise<MetricFamily[]> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusTextFormat(await res.text());
}

describe('GET /metrics (Prometheus text)', () => {
  let db: TestDatabase;
  let dir: string;
  let worker: WorkerHandle;
  let api: WorkerHandle;
  const executor = new InMemoryTrainingExecutor((job) => (/miner-2/.test(job.repoUrl) ? { outcome: 'miner_failed' } : { loss: 2.5 }));

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-metrics-'));
    worker = await startWorker({
      db: db.config,
      dataDir: dir,
      executor,
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: { CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git', CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40) },
    });
    api = await startWorker({ db: db.config, dataDir: dir, role: 'api' });
    await api.app.listen(0, '127.0.0.1');
    await worker.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await api?.app.close();
    await worker?.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports runs and queues from the database, requests by route pattern, and the worker its ticks, sandboxes and evaluations', async () => {
    // A finished tournament (the worker's own measurements), then runs in known states (the queue).
    const done = await createClosedTournament(worker.app);
    await addEntrants(worker.app, done.id, [0, 1, 2].map((i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    const ticks = await worker.runUntil(done.id, 'completed');
    const open = await createClosedTournament(worker.app);
    const [entrant] = await addEntrants(worker.app, open.id, [{ repoUrl: 'https://example.org/late.git' }]);
    const taskId = randomUUID();
    const states: Array<[TrainingRunEntity['state'], string]> = [
      ['queued', 'cpu'], ['queued', 'cpu'], ['queued', 'cpu'], ['queued', 'gpu'], ['queued', 'gpu'], ['running', 'cpu'], ['evaluating', 'gpu'],
    ];
    const repo = api.ds.getRepository(TrainingRunEntity);
    const inserted = await repo.save(
      states.map(([state, hardware], attempt) => repo.create({ tournamentId: open.id, taskId, entrantId: entrant.id, attempt, state, hardware, queuedAt: new Date() })),
    );

    const base = await api.app.getUrl();
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/api/runs/${inserted[i].id}`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await fetch(`${base}/api/runs/${randomUUID()}`)).status).toBe(404);
    expect((await fetch(`${base}/api/runs/not-a-uuid`)).status).toBe(400);
    expect((await fetch(`${base}/api/no/such/route/${randomUUID()}`)).status).toBe(404);

    const m = await scrape(base);
    // Worked by hand from the seven runs above (the finished tournament left none unfinished).
    expect(sample(m, 'crucible_queue_depth', { hardware: 'cpu' })).toBe(3);
    expect(sample(m, 'crucible_queue_depth', { hardware: 'gpu' })).toBe(2);
    expect(sample(m, 'crucible_runs', { state: 'queued', outcome: 'none' })).toBe(5);
    expect(sample(m, 'crucible_runs', { state: 'running', outcome: 'none' })).toBe(1);
    expect(sample(m, 'crucible_runs', { state: 'evaluating', outcome: 'none' })).toBe(1);
    // Every run the sandbox started finished; miner-2's script fails every attempt (the rulebook allows 2).
    const started = [...executor.starts.values()].reduce((a, b) => a + b, 0);
    const finished = m.find((f) => f.name === 'crucible_runs')!.metrics.filter((s) => s.labels?.state === 'finished');
    expect(finished.reduce((a, s) => a + Number(s.value), 0)).toBe(started);
    expect(sample(m, 'crucible_runs', { state: 'finished', outcome: 'miner_failed' })).toBeGreaterThanOrEqual(2);
    // Requests by route pattern and status, never the raw URL (ids would make a series per request).
    const route = '/api/runs/:id';
    expect(sample(m, 'crucible_http_requests_total', { method: 'GET', route, status: '200' })).toBe(3);
    expect(sample(m, 'crucible_http_requests_total', { method: 'GET', route, status: '404' })).toBe(2);
    expect(sample(m, 'crucible_http_requests_total', { method: 'GET', route, status: '400' })).toBe(1);
    // An unknown URL under /api is a JSON 404 (the dashboard answers the other page URLs): counted under the pattern that caught it, never its raw path.
    const requests = m.find((f) => f.name === 'crucible_http_requests_total')!.metrics;
    expect(requests.reduce((a, s) => a + Number(s.value), 0)).toBe(7);
    expect(requests.some((s) => s.labels?.route?.includes(inserted[0].id) || s.labels?.route?.includes('no/such'))).toBe(false);
    expect(m.find((f) => f.name === 'crucible_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(sample(m, 'crucible_weight_sets', { status: 'dry_run' })).toBe(Number((await api.ds.query(`SELECT count(*) AS n FROM weight_sets`))[0].n));

    // The worker's /metrics: its scheduler (runUntil's passes, plus the boot pass unless runUntil's first
    // tick joined it while it was still in progress: a pass in progress is shared), sandboxes and evaluations.
    // Both apps live in this test process, so they share its instruments: the worker's figures show in either.
    const w = await scrape(await worker.app.getUrl());
    const histogram = (name: string) => w.find((f) => f.name === name)!.metrics[0];
    expect([ticks, ticks + 1]).toContain(Number(histogram('crucible_scheduler_tick_seconds').count));
    expect(Number(histogram('crucible_sandbox_start_seconds').count)).toBe(started);
    expect(Number(histogram('crucible_training_seconds').count)).toBe(started);
    const scored = Number((await api.ds.query(`SELECT count(*) AS n FROM evaluations WHERE "runId" IS NOT NULL`))[0].n);
    expect(Number(histogram('crucible_evaluation_seconds').count)).toBe(scored);
    // The fake evaluator scores 64 examples per model.
    expect(sample(w, 'crucible_evaluation_examples_total', { task_type: 'causal-lm' })).toBe(64 * scored);
    expect(sample(w, 'crucible_runs', { state: 'queued', outcome: 'none' })).toBe(5);
  });
});
