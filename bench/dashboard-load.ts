/**
 * Tournament page load in a real browser: /tournaments/:id of a finished 256-entrant tournament in
 * Debian's headless Chromium, from navigation until the runs table and the leaderboard hold the rows
 * they show (the first 100 of each; "show all" renders the rest).
 * Baseline in the same process: fetching the same five API answers the page renders, without a browser.
 * Target: under 1 s. Run: npm run bench -- dashboard-load
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../test/fakes/in-memory-training';
import { buildDashboard, launchBrowser } from '../test/support/browser';
import { createTestDatabase } from '../test/support/databases';
import { addEntrants, createClosedTournament } from '../test/support/tournaments';
import { startWorker } from '../test/support/worker';

const ENTRANTS = 256;
const LOADS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-dashboard-'));
  const webDir = path.join(dir, 'web');
  buildDashboard(webDir);
  const db = await createTestDatabase('postgres');
  const worker = await startWorker({
    db: db.config,
    dataDir: dir,
    executor: new InMemoryTrainingExecutor((job) => ({ loss: 2 + (Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 50) % 17) * 0.01 })),
    taskData: new FakeTaskDataService(path.join(dir, 'eval')),
    env: { CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', CRUCIBLE_LOG_LEVEL: 'error', CRUCIBLE_WEB_DIR: webDir },
    role: 'all',
  });
  const browser = await launchBrowser();
  try {
    const t = await createClosedTournament(worker.app);
    await addEntrants(worker.app, t.id, Array.from({ length: ENTRANTS }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    await worker.runUntil(t.id, 'completed');
    await worker.app.listen(0, '127.0.0.1');
    const base = await worker.app.getUrl();
    const runs = (await worker.ds.query(`SELECT count(*)::int AS n FROM training_runs WHERE "tournamentId" = $1`, [t.id]))[0].n as number;

    const api = [`/api/tournaments/${t.id}`, `/api/tournaments/${t.id}/rounds`, `/api/tournaments/${t.id}/tasks`, `/api/tournaments/${t.id}/leaderboard`, `/api/dashboard/tournaments/${t.id}/board`];
    const fetchAll = async () => {
      const start = performance.now();
      await Promise.all(api.map(async (p) => (await fetch(`${base}${p}`)).text()));
      return performance.now() - start;
    };
    const page = await browser.newPage();
    const load = async () => {
      const start = performance.now();
      await page.goto(`${base}/tournaments/${t.id}`, { waitUntil: 'commit' });
      await page.waitForFunction(
        () => {
          // Runs in the page (this file compiles without the DOM library). Both tables hold the rows
          // they show (the first 100 of each, "show all" for the rest).
          type Doc = { querySelector(s: string): { getAttribute(a: string): string | null } | null; querySelectorAll(s: string): { length: number } };
          const doc = (globalThis as unknown as { document: Doc }).document;
          return ['runs', 'leaderboard'].every((t) => {
            const rows = Number(doc.querySelector(`[data-testid="${t}"]`)?.getAttribute('data-rows') ?? 0);
            return rows > 0 && doc.querySelectorAll(`[data-testid="${t}"] tbody tr`).length === rows;
          });
        },
        undefined,
        { polling: 'raf', timeout: 30_000 },
      );
      return performance.now() - start;
    };
    await fetchAll();
    await load(); // warm-up: the browser's first start of a page, the database's first queries
    const apiMs: number[] = [];
    const pageMs: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      apiMs.push(await fetchAll());
      pageMs.push(await load());
    }
    if (browser.errors.length) throw new Error(`console errors: ${browser.errors.join('; ')}`);
    console.log(`entrants: ${ENTRANTS}`);
    console.log(`runs: ${runs}`);
    console.log(`loads: ${LOADS}`);
    console.log(`api_data_ms_median: ${median(apiMs).toFixed(1)}`);
    console.log(`page_load_ms_median: ${median(pageMs).toFixed(1)}`);
    console.log(`page_load_ms_max: ${Math.max(...pageMs).toFixed(1)}`);
    console.log('direction: page load over fetching its data alone; lower is better (target: page load under 1000 ms)');
    console.log(`ratio: ${(median(pageMs) / median(apiMs)).toFixed(2)}`);
  } finally {
    await browser.close();
    await worker.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
