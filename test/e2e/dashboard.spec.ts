import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import type { TrainingHooks, TrainingJob, TrainingResult } from '../../src/sandbox/training-executor';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import { Behaviour, FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { ADMIN_TOKEN } from '../support/app';
import { Browser, buildDashboard, launchBrowser } from '../support/browser';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/dashboard');
const MINERS = 8;
const BASELINE = { CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git', CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40) };
const METAGRAPH = { CRUCIBLE_STATIC_METAGRAPH: Array.from({ length: MINERS }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}=${i + 1}`).join(',') };
/** Miner-controlled text that must show as text: a page that ran it would open a dialog (the test fails on one). */
const HOSTILE = `<img src=x onerror="alert('xss')">`;

/** Miner i's loss grows with i; the last miner's script crashes. */
function behaviour(job: TrainingJob): Behaviour {
  if (job.repoUrl.includes('baseline')) return { loss: 3.0 };
  const i = Number(/miner-(\d+)/.exec(job.repoUrl)?.[1] ?? 0);
  return i === MINERS - 1 ? { outcome: 'miner_failed' } : { loss: 2.0 + i * 0.01 };
}

/** The instant runner, plus a training log per run, as a sandbox leaves one. */
class LoggingExecutor extends InMemoryTrainingExecutor {
  constructor(private readonly logDir: string) {
    super(behaviour);
    fs.mkdirSync(logDir, { recursive: true });
  }

  override async execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    const result = await super.execute(job, hooks);
    const logPath = path.join(this.logDir, `${job.runId}.log`);
    fs.writeFileSync(logPath, `starting run ${job.runId}\nstep 1 loss 4.2\nstep 2 loss 3.1 ${HOSTILE}\ndone\n`);
    return { ...result, logPath };
  }
}

/** The dispatcher starts runs in the background: waits until one of the tournament's is in its sandbox. */
async function firstRunning(w: WorkerHandle, tournamentId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const run = await w.ds.getRepository(TrainingRunEntity).findOneBy({ tournamentId, state: 'running' });
    if (run) return run.id;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no run of the tournament started');
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The text a person sees: scrolled into view first (sections out of view are not rendered, see styles.css). */
async function seen(locator: Locator, timeout = 15_000): Promise<string> {
  await locator.scrollIntoViewIfNeeded({ timeout });
  return locator.innerText();
}

function cellState(page: Page, runId: string, state: string) {
  return page.locator(`tr[data-run-id="${runId}"] [data-testid="run-state"] [data-state="${state}"]`);
}

describe('dashboard in a real browser (system Chromium, PostgreSQL, in-memory runner)', () => {
  let db: TestDatabase;
  let dir: string;
  let worker: WorkerHandle;
  let browser: Browser;
  let base: string;
  let executor: LoggingExecutor;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-dashboard-'));
    const webDir = path.join(dir, 'web');
    buildDashboard(webDir);
    db = await createTestDatabase('postgres');
    executor = new LoggingExecutor(path.join(dir, 'logs'));
    worker = await startWorker({
      db: db.config,
      dataDir: dir,
      role: 'all',
      executor,
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: { ...BASELINE, ...METAGRAPH, CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=64', CRUCIBLE_WEB_DIR: webDir, CRUCIBLE_ADMIN_TOKEN: ADMIN_TOKEN, CRUCIBLE_EVENTS_POLL_MS: '100' },
    });
    await worker.app.listen(0, '127.0.0.1');
    base = await worker.app.getUrl();
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a tournament live, a run with its log tail, weights that add up, and every page without a console error', async () => {
    const t = await createClosedTournament(worker.app);
    await addEntrants(
      worker.app,
      t.id,
      Array.from({ length: MINERS }, (_, i) => ({ repoUrl: `https://example.org/miner-${i}.git${i === 3 ? `#${HOSTILE}` : ''}` })),
    );

    // The first round starts and its runs stay in their sandboxes until released.
    executor.autoFinish = false;
    await worker.scheduler.tick();
    const watched = await firstRunning(worker, t.id);

    const page = await browser.newPage();
    await page.goto(`${base}/tournaments/${t.id}`);
    await cellState(page, watched, 'running').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="live-status"]', { hasText: 'live' }).waitFor({ timeout: 15_000 });
    // A marker that a reload would wipe.
    await page.evaluate('window.__sameDocument = true');
    await shot(page, 'tournament-running');

    executor.releaseAll();
    await worker.dispatcher.drain();
    await cellState(page, watched, 'finished').waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);

    // Then the tournament plays out; the open page follows it through the boss round.
    executor.autoFinish = true;
    await worker.runUntil(t.id, 'completed');
    await page.locator('[data-testid="boss-round"] table').waitFor({ timeout: 15_000 });
    await page.locator('h1 [data-state="completed"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    // The hostile repository URL is shown as text.
    expect(await seen(page.locator('[data-testid="leaderboard"]'))).toContain(HOSTILE);
    await page.locator('[data-testid="score-chart"] canvas').waitFor();
    await shot(page, 'tournament');
    // The README's picture (docs/dashboard-tournament.jpg): the top of the same page.
    await page.screenshot({ path: path.join(ARTIFACTS, 'tournament-top.jpg'), type: 'jpeg', quality: 80 });

    // A run page: its state history and log tail (public now: its round is decided).
    const failed = await worker.ds.getRepository(TrainingRunEntity).findOneByOrFail({ tournamentId: t.id, outcome: 'miner_failed' });
    await page.goto(`${base}/runs/${failed.id}`);
    const log = await seen(page.locator('[data-testid="log-tail"]'));
    expect(log).toContain(`starting run ${failed.id}`);
    expect(log).toContain(`step 2 loss 3.1 ${HOSTILE}`);
    expect(await seen(page.locator('[data-testid="run-facts"]'))).toContain('fake miner_failed');
    await seen(page.locator('[data-testid="run-history"]'));
    expect(await page.locator('[data-testid="run-history"] [data-state]').allInnerTexts()).toEqual(['queued', 'running', 'finished']);
    await shot(page, 'run');

    // Weights: the shares on the page add up to 1, and they are the service's own shares.
    await page.goto(`${base}/weights`);
    await page.locator('[data-testid="share-weight"]').first().waitFor({ timeout: 15_000 });
    const cells = await page.locator('[data-testid="share-weight"]').all();
    const shown = await Promise.all(cells.map(async (c) => Number(await c.getAttribute('data-weight'))));
    const preview = await worker.app.get(WeightsPreviewService).preview();
    expect(shown).toEqual(preview.vector.shares.map((s) => s.weight));
    expect(shown.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(await seen(page.locator('[data-testid="share-total"]'))).toBe('100.0000%');
    await shot(page, 'weights');

    // The other pages render from the API without an error.
    await page.goto(`${base}/tournaments`);
    await page.locator('[data-testid="tournament-list"] a', { hasText: `#${t.cycle}` }).waitFor({ timeout: 15_000 });
    await shot(page, 'tournaments');

    await page.goto(`${base}/miners/hotkey-0000`);
    await page.locator('[data-testid="miner-entries"]', { hasText: 'won' }).waitFor({ timeout: 15_000 });
    await shot(page, 'miner');

    await page.goto(`${base}/audit`);
    expect(await seen(page.locator('[data-testid="audit-command"]'))).toBe(`crucible audit --source ${base} --days 7`);
    await shot(page, 'audit');

    // Admin: the API's own validation error, then a tournament scheduled with the token from the page.
    await page.goto(`${base}/admin`);
    await page.locator('[data-testid="admin-token"]').fill(ADMIN_TOKEN);
    const schedule = page.locator('form', { hasText: 'Schedule a tournament' });
    await schedule.locator('input').first().fill('Not A Type');
    await schedule.locator('button').click();
    await schedule.locator('.error', { hasText: 'type must be lowercase letters, digits and dashes' }).waitFor({ timeout: 15_000 });
    await schedule.locator('input').first().fill('text');
    await schedule.locator('button').click();
    await schedule.locator('.ok', { hasText: 'text #' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate("sessionStorage.getItem('crucible.adminToken')")).toBe(ADMIN_TOKEN);
    // The new cycle: its registration closed now, then cancelled with a reason.
    const next = `text #${t.cycle + 1}`;
    const close = page.locator('form', { hasText: 'Close registration' });
    const option = close.locator('option', { hasText: next });
    await option.waitFor({ state: 'attached', timeout: 15_000 });
    const nextId = (await option.getAttribute('value'))!;
    await close.locator('select').selectOption(nextId);
    await close.locator('button').click();
    await close.locator('.ok', { hasText: next }).waitFor({ timeout: 15_000 });
    const cancel = page.locator('form', { hasText: 'Cancel' }).last();
    await cancel.locator('select').selectOption(nextId);
    await cancel.locator('input').fill('dashboard test');
    await cancel.locator('button').click();
    await cancel.locator('.ok [data-state="cancelled"]').waitFor({ timeout: 15_000 });
    expect((await worker.ds.getRepository(TournamentEntity).findOneByOrFail({ id: nextId })).stateReason).toBe('cancelled by admin: dashboard test');
    await shot(page, 'admin');

    // A 400 answer is logged by Chromium as a failed resource load: the only console error allowed is that one.
    expect(browser.errors.filter((e) => !/\/admin: console: Failed to load resource: the server responded with a status of 400/.test(e))).toEqual([]);
  }, 300_000);
});
