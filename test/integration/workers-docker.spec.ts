import Docker from 'dockerode';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { SANDBOX_LABELS } from '../../src/sandbox/run-spec';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { tunedMinerRepo } from '../support/git-fixtures';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { standbyWorker, watchContainerCreates } from '../support/worker-processes';

function trainer(root: string, name: string, hyperparameters: Record<string, number>) {
  return tunedMinerRepo('lm-small', root, name, hyperparameters);
}

/** Issue 15, "Several workers": two worker processes on one PostgreSQL play one real Docker tournament. */
describe('two worker processes, real Docker sandboxes, one PostgreSQL', () => {
  const docker = new Docker();
  const instance = `workers-${randomBytes(4).toString('hex')}`;
  const children = new Set<ChildProcess>();
  let dir: string;
  let db: TestDatabase;
  let setup: WorkerHandle | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-workers-'));
    db = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await setup?.app.close();
    for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SANDBOX_LABELS.instance}=${instance}`] }) })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('completes; no run executed twice; each round decided once', async () => {
    const repos = path.join(dir, 'repos');
    const baseline = trainer(repos, 'baseline', { steps: 2, width: 8, context: 2 });
    const env = {
      CRUCIBLE_BASELINE_REPO_URL: baseline.url,
      CRUCIBLE_BASELINE_COMMIT: baseline.sha,
      CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=1',
      CRUCIBLE_SANDBOX_MEMORY_MB: '1024',
      CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2,hotkey-0002=3',
      // One engine, one instance: either worker may adopt the other's sandboxes.
      CRUCIBLE_SANDBOX_INSTANCE: instance,
    };
    // Each worker has its own data dir (its own runs/ folder), as on two machines sharing the engine.
    // Its process loads its code while the tournament is set up and starts its app when given the tournament.
    const worker = (id: string): { start(tournamentId: string): void; ended: Promise<void> } => {
      const w = standbyWorker({ db: db.config, dataDir: path.join(dir, id), env: { ...env, CRUCIBLE_WORKER_ID: id } }, children);
      const ended = w.exited.then(({ code }) => {
        if (code !== 0 || !w.output().includes('CRUCIBLE_DONE')) throw new Error(`worker ${id} exited ${code}: ${w.output().slice(-2000)}`);
      });
      ended.catch(() => undefined);
      return { start: w.start, ended };
    };
    const workers = [worker('worker-1'), worker('worker-2')];

    const entrants = ['a', 'b', 'c'].map((n, i) => trainer(repos, n, { steps: 10 + 10 * i, width: 16, context: 2 }));
    setup = await startWorker({ db: db.config, dataDir: path.join(dir, 'setup'), env, role: 'api' });
    const t = await createClosedTournament(setup.app, { bossTasks: 1, attempts: 1, timeLimitsSeconds: { group: 120, knockout: 120, boss: 120 } });
    await addEntrants(setup.app, t.id, entrants.map((r, i) => ({ repoUrl: r.url, commitSha: r.sha, uid: i + 1 })));

    const { creates, stop: stopEvents } = await watchContainerCreates(docker, instance);

    for (const w of workers) w.start(t.id);
    await Promise.all(workers.map((w) => w.ended));
    stopEvents();

    const final = await setup.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.state).toBe('completed');
    const runs = await setup.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    expect(runs.every((r) => r.state === 'finished' && r.outcome === 'succeeded')).toBe(true);
    // No run executed twice: one container per (run, attempt), one run per (task, entrant).
    expect(creates.length).toBe(new Set(creates).size);
    expect(new Set(creates)).toEqual(new Set(runs.map((r) => `${r.id}#${r.attempt}`)));
    expect(new Set(runs.map((r) => `${r.taskId}/${r.entrantId}`)).size).toBe(runs.length);
    // Each round decided once.
    const rounds = await setup.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id } });
    const decided = await setup.ds.getRepository(AuditEventEntity).find({ where: { action: 'round.decided' } });
    expect(decided.map((e) => e.subjectId).sort()).toEqual(rounds.map((r) => r.id).sort());
    // Both workers took part (claims spread by SKIP LOCKED); printed for the record, not asserted.
    process.stdout.write(`runs per worker: ${JSON.stringify(runs.reduce<Record<string, number>>((n, r) => ({ ...n, [r.claimedBy ?? '?']: (n[r.claimedBy ?? '?'] ?? 0) + 1 }), {}))}\n`);
    expect(await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SANDBOX_LABELS.instance}=${instance}`] }) })).toEqual([]);
  }, 600_000);
});
