import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskDataSweeper } from '../../src/tournaments/task-data-sweeper';
import { RoundPlannerService } from '../../src/tournaments/round-planner.service';
import { TournamentRepository } from '../../src/tournaments/tournament.repository';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { Transactor } from '../../src/common/transactor';

/** Issue 15: a round whose planning never committed leaves no split files behind (real evaluator, PostgreSQL). */
describe('task data of rounds that never committed', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  const tasksDir = () => path.join(dir, 'evaluation', 'tasks');
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-sweep-'));
  });
  afterAll(async () => {
    await w?.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('removes an old orphan at start, keeps young folders and those of real tasks', async () => {
    const oldOrphan = randomUUID();
    const youngOrphan = randomUUID();
    for (const id of [oldOrphan, youngOrphan]) fs.mkdirSync(path.join(tasksDir(), id, 'train'), { recursive: true });
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(path.join(tasksDir(), oldOrphan), twoHoursAgo, twoHoursAgo);

    w = await startWorker({ db: db.config, dataDir: dir });
    expect(fs.existsSync(path.join(tasksDir(), oldOrphan))).toBe(false);
    expect(fs.existsSync(path.join(tasksDir(), youngOrphan))).toBe(true);

    // A round that plans for real: its task folders have rows, so even when old they stay.
    const t = await createClosedTournament(w.app);
    await addEntrants(w.app, t.id, [{ repoUrl: 'https://example.org/a.git' }, { repoUrl: 'https://example.org/b.git' }]);
    const repo = w.app.get(TournamentRepository);
    // The tick started at boot may still be in flight: step until the first round is planned.
    for (let i = 0; i < 5 && (await repo.tasks(t.id)).length === 0; i++) await w.step();
    const tasks = await repo.tasks(t.id);
    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) fs.utimesSync(path.join(tasksDir(), task.id), twoHoursAgo, twoHoursAgo);
    expect(await w.app.get(TaskDataSweeper).sweep()).toEqual([]);
    for (const task of tasks) expect(fs.existsSync(path.join(tasksDir(), task.id, 'train'))).toBe(true);
  });

  it('a planning transaction that fails removes the split files it wrote', async () => {
    const t = await createClosedTournament(w.app);
    const before = new Set(fs.readdirSync(tasksDir()));
    const planner = w.app.get(RoundPlannerService);
    const plan = { kind: 'knockout' as const, roundIndex: 0, pairs: [{ slot: 0, entrants: ['a', 'b'] as [string, string] }] };
    // An entrant id that is not a uuid makes the run insert fail inside the transaction.
    await expect(w.app.get(Transactor).run(() => planner.createRound(t, plan as never, () => true, new Date()))).rejects.toThrow();
    expect(new Set(fs.readdirSync(tasksDir()))).toEqual(before);
  });
});
