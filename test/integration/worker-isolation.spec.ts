import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { WeightSetEntity } from '../../src/chain/weight-set.entity';
import { dutyFailures } from '../../src/common/duty-guard';
import type { PreparedTaskData, TaskDataRequest } from '../../src/evaluation/task-data';
import { defaultRulebook } from '../../src/scoring/rulebook';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

/** The evaluation port with a fault: preparing a task on the public corpus throws (as a broken dataset volume would). */
class FaultyTaskData extends FakeTaskDataService {
  override async prepare(req: TaskDataRequest): Promise<PreparedTaskData> {
    if (req.datasetId === 'devils-dictionary') throw new Error('dataset volume unreadable: devils-dictionary');
    return super.prepare(req);
  }
}

describe('worker isolation: a tournament whose step throws stops nothing else (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-isolation-'));
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor: new InMemoryTrainingExecutor((job) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 + Number(/miner-(\d)/.exec(job.repoUrl)?.[1]) * 0.1 })),
      taskData: new FaultyTaskData(path.join(dir, 'eval')),
      env: {
        CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
        CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
        CRUCIBLE_OWNER_UID: '0',
        CRUCIBLE_STATIC_METAGRAPH: ['hotkey-0000=1', 'hotkey-0001=2', 'hotkey-0002=3'].join(','),
      },
    });
  });

  afterAll(async () => {
    await w?.app.close();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the broken tournament fails its step every tick (logged with its id, counted); the other completes and its weights are set', async () => {
    // The app starts a pass at boot; a tick called while it runs joins it. Let it end before the tournaments
    // exist, so that every tick counted below is a pass that lists the broken tournament.
    await w.step();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const failuresBefore = await dutyFailures('tournament step');
    const miners = [0, 1, 2].map((i) => ({ repoUrl: `https://example.org/miner-${i}.git` }));
    // Created first, so it is first in every tick's list: before isolation its throw ended the pass.
    const publicCorpus = { ...defaultRulebook().taskCatalog, 'causal-lm': { datasets: ['devils-dictionary'], baseModels: ['builtin:unigram'] } };
    const broken = await createClosedTournament(w.app, { taskCatalog: publicCorpus, allowPublicDatasets: true });
    await addEntrants(w.app, broken.id, miners);
    const healthy = await createClosedTournament(w.app);
    await addEntrants(w.app, healthy.id, miners);

    const ticks = await w.runUntil(healthy.id, 'completed');

    const tournaments = w.ds.getRepository(TournamentEntity);
    // Its start (round planning) rolls back each time: still in registration, nothing half-made.
    expect((await tournaments.findOneByOrFail({ id: broken.id })).state).toBe('registration');
    expect((await tournaments.findOneByOrFail({ id: healthy.id })).state).toBe('completed');
    const weightSets = await w.ds.getRepository(WeightSetEntity).find();
    expect(weightSets.map((s) => s.status)).toEqual(['dry_run']);
    // The healthy tournament's miners (uids 1-3) are paid by it.
    expect(weightSets[0].uids).toEqual(expect.arrayContaining([1, 2, 3]));

    expect((await dutyFailures('tournament step')) - failuresBefore).toBe(ticks);
    const scrape = await request(w.app.getHttpServer()).get('/metrics');
    expect(scrape.text).toContain(`crucible_worker_duty_failures_total{duty="tournament step"} ${failuresBefore + ticks}`);
    const logged = errors.mock.calls.filter(([fields]) => (fields as { duty?: string }).duty === 'tournament step');
    expect(logged).toHaveLength(ticks);
    expect(logged[0][0]).toMatchObject({ duty: 'tournament step', tournamentId: broken.id, error: expect.stringContaining('dataset volume unreadable') });
    expect(logged[0][1]).toBe('tournament step failed; next tick retries');
    expect(logged.every(([fields]) => (fields as { tournamentId?: string }).tournamentId === broken.id)).toBe(true);
    errors.mockRestore();
  });
});
