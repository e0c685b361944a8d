import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { StoragePruner } from '../../src/runs/storage-pruner.service';
import { runDirName } from '../../src/sandbox/sandbox-training-executor';
import { RepoIntake } from '../../src/repo-intake/repo-intake';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo } from '../support/git-fixtures';
import { startWorker, WorkerHandle } from '../support/worker';

const DAY_S = 86_400;
const MB = 1024 * 1024;

describe('storage prune of runs/ and repo-cache/ (PostgreSQL, real git)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-prune-'));
    w = await startWorker({
      db: db.config,
      dataDir: dir,
      executor: new InMemoryTrainingExecutor(() => ({ loss: 1 })),
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: { CRUCIBLE_RUNS_RETENTION_DAYS: '7', CRUCIBLE_RUNS_MAX_MB: '3', CRUCIBLE_REPO_CACHE_RETENTION_DAYS: '7', CRUCIBLE_REPO_CACHE_MAX_MB: '1' },
    });
  });
  afterAll(async () => {
    await w?.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A run folder with `mb` MiB of model, last used `daysAgo` days ago. */
  function runFolder(name: string, mb: number, daysAgo: number): void {
    const folder = path.join(dir, 'runs', name);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'model.onnx'), Buffer.alloc(mb * MB));
    const t = Date.now() / 1000 - daysAgo * DAY_S;
    fs.utimesSync(folder, t, t);
  }

  it('removes run folders past retention, then the least recently used over the size limit; never a live run', async () => {
    const live = await w.ds.getRepository(TrainingRunEntity).save({
      tournamentId: randomUUID(), taskId: randomUUID(), entrantId: randomUUID(), attempt: 2, state: 'running', hardware: 'cpu-2', queuedAt: new Date(),
    });
    const liveName = runDirName(live.id, 2);
    runFolder(liveName, 1, 30); // live: stays although old
    runFolder('old', 1, 8); // past 7 days: goes
    runFolder('lru', 1, 3); // total left 1 (live) + 1 + 1 + 1 = 4 MiB > 3: the least recently used goes
    runFolder('recent', 1, 1);
    runFolder('newest', 1, 0);
    const result = await w.app.get(StoragePruner).prune();
    expect(result.runs.sort()).toEqual(['lru', 'old']);
    expect(fs.readdirSync(path.join(dir, 'runs')).sort()).toEqual([liveName, 'newest', 'recent'].sort());
  });

  it('removes cached repositories by last use and size', async () => {
    const intake = w.app.get(RepoIntake);
    const manifest = JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] });
    const a = makeRepo(path.join(dir, 'src-a'), { 'crucible.json': manifest, 'train.sh': '', 'w.bin': Buffer.alloc(10, 1) });
    const b = makeRepo(path.join(dir, 'src-b'), { 'crucible.json': manifest, 'train.sh': '' });
    await intake.inspect(a.url, a.sha);
    await intake.inspect(b.url, b.sha);
    const cache = path.join(dir, 'repo-cache');
    const cached = () => fs.readdirSync(cache).filter((n) => n.endsWith('.git'));
    expect(cached()).toHaveLength(2);
    // Age one entry past retention: only it goes (both are far under 1 MiB).
    const [first] = cached();
    const t = Date.now() / 1000 - 8 * DAY_S;
    fs.utimesSync(path.join(cache, first), t, t);
    const result = await w.app.get(StoragePruner).prune();
    expect(result.repos).toEqual([first]);
    expect(cached()).toHaveLength(1);
  });
});
