import Docker from 'dockerode';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditBundleEntity } from '../../src/audit/audit-bundle.entity';
import { bundleFileName } from '../../src/audit/audit-bundle.service';
import { WeightSetEntity } from '../../src/chain/weight-set.entity';
import { PAUSE_POINTS, type PausePointName } from '../../src/config/pause-points';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { SANDBOX_LABELS } from '../../src/sandbox/run-spec';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo, minerFiles, tunedMinerRepo } from '../support/git-fixtures';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { standbyWorker, watchContainerCreates } from '../support/worker-processes';

/**
 * kill -9 anywhere loses nothing and runs nothing twice (issue 15). One small real tournament
 * (Docker sandboxes, the PyTorch example miner, ONNX evaluation, PostgreSQL) is played by a worker
 * process that freezes at one step boundary per life (CRUCIBLE_TEST_PAUSE_AT) and is killed there
 * with SIGKILL, then restarted on the same data with the next boundary; the last life runs to the
 * end. A second, uninterrupted tournament on its own database is the reference.
 */

// In the order the tournament reaches them: the first round is planned at the start; deciding the
// knockout round plans the boss round in the same transaction.
const KILL_POINTS: PausePointName[] = [
  'round-planned',
  'claimed',
  'container-created',
  'training',
  'container-exited',
  'container-removed',
  'evaluating',
  'evaluated',
  'round-decided',
  'weights-made',
  'bundle-sealed',
];

const filesOf = minerFiles;

function trainer(root: string, name: string, hyperparameters: Record<string, number>) {
  return tunedMinerRepo('lm-small', root, name, hyperparameters);
}

interface Outcome {
  ranking: string[];
  rounds: Array<{ kind: string; advancing: string[]; challengerWins: unknown }>;
  weights: { uids: number[]; weights: string[] };
}

/** What must not depend on crashes: ranking, round verdicts and weights, with entrants named by repository. */
async function outcomeOf(ds: DataSource, weights: WeightsPreviewService, tournamentId: string): Promise<Outcome> {
  const entrants = await ds.getRepository(EntrantEntity).find({ where: { tournamentId } });
  const name = (id: string) => path.basename(entrants.find((e) => e.id === id)?.repoUrl ?? id);
  const t = await ds.getRepository(TournamentEntity).findOneByOrFail({ id: tournamentId });
  const rounds = await ds.getRepository(RoundEntity).find({ where: { tournamentId }, order: { index: 'ASC' } });
  const vector = (await weights.preview()).vector;
  return {
    ranking: ((t.ranking ?? []) as Array<string | { entrantId: string }>).map((r) => name(typeof r === 'string' ? r : r.entrantId)),
    rounds: rounds.map((r) => ({
      kind: r.kind,
      advancing: (r.advancing ?? []).map(name),
      challengerWins: (r.decision?.verdict as { challengerWins?: boolean } | undefined)?.challengerWins ?? null,
    })),
    weights: { uids: vector.uids, weights: vector.weights.map((w) => w.toFixed(9)) },
  };
}

describe('kill -9 at every step boundary of a real tournament (Docker, PostgreSQL)', () => {
  const docker = new Docker();
  const instance = `chaos-${randomBytes(4).toString('hex')}`;
  const children = new Set<ChildProcess>();
  let dir: string;
  let chaosDb: TestDatabase;
  let referenceDb: TestDatabase;
  let reference: WorkerHandle | undefined;
  let setup: WorkerHandle | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-chaos-'));
    [chaosDb, referenceDb] = await Promise.all([createTestDatabase('postgres'), createTestDatabase('postgres')]);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await reference?.app.close();
    await setup?.app.close();
    for (const c of await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SANDBOX_LABELS.instance}=${instance}`] }) })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    }
    await chaosDb?.drop();
    await referenceDb?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('completes, starts no (run, attempt) twice, charges only miners, and decides as the uninterrupted run did', async () => {
    const repos = path.join(dir, 'repos');
    const baseline = trainer(repos, 'baseline', { steps: 2, width: 8, context: 2 });
    const strong = trainer(repos, 'strong', { steps: 12, width: 32, context: 3, lr: 0.01 });
    const broken = makeRepo(path.join(repos, 'broken'), filesOf('exit-1'));
    const env = {
      CRUCIBLE_BASELINE_REPO_URL: baseline.url,
      CRUCIBLE_BASELINE_COMMIT: baseline.sha,
      CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=2',
      CRUCIBLE_SANDBOX_MEMORY_MB: '1024',
      CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2',
      // A restarted worker adopts what its previous life claimed at once (same id), not after the lease.
      CRUCIBLE_WORKER_ID: 'chaos-worker',
    };
    const rules = { bossTasks: 1, attempts: 2, timeLimitsSeconds: { group: 120, knockout: 120, boss: 120 } };
    const entrants = [
      { repoUrl: strong.url, commitSha: strong.sha, uid: 1 },
      { repoUrl: broken.url, commitSha: broken.sha, uid: 2 },
    ];

    const childEnv = { ...env, CRUCIBLE_SANDBOX_INSTANCE: instance };
    // Each life's process is started while the previous life plays (the first one while the tournament
    // is set up) and loads its code meanwhile; it starts its app (database, Docker, adoption) only when
    // told to, once the previous one has exited.
    const standby = (pauseAt: PausePointName | null): { start(tournamentId: string): void; ended: Promise<string> } => {
      const worker = standbyWorker({ db: chaosDb.config, dataDir: path.join(dir, 'chaos'), env: pauseAt ? { ...childEnv, CRUCIBLE_TEST_PAUSE_AT: pauseAt } : childEnv }, children);
      // Frozen at its pause point: killed there.
      worker.child.stdout?.on('data', () => {
        if (/CRUCIBLE_PAUSED /.test(worker.output())) worker.child.kill('SIGKILL');
      });
      const ended = worker.exited.then(({ code, signal }) => {
        const out = worker.output();
        const paused = /CRUCIBLE_PAUSED (\S+)/.exec(out);
        if (paused) return `paused at ${paused[1]}`;
        if (out.includes('CRUCIBLE_DONE')) return 'done';
        throw new Error(`worker exited (${code ?? signal}) at neither a pause nor the end: ${out.slice(-2000)}`);
      });
      // Reported when its life is awaited; a standby that dies early must not be an unhandled rejection.
      ended.catch(() => undefined);
      return { start: worker.start, ended };
    };

    const points = [...KILL_POINTS, null];
    let next = standby(points[0]);

    // The reference: the same tournament, uninterrupted, in this process, played while the crash run
    // below goes on in worker processes (its own database, data and sandbox instance).
    const referenceOutcome = (async (): Promise<Outcome> => {
      reference = await startWorker({ db: referenceDb.config, dataDir: path.join(dir, 'reference'), env });
      const ref = await createClosedTournament(reference.app, rules);
      await addEntrants(reference.app, ref.id, entrants);
      await reference.runUntil(ref.id, 'completed', 400);
      const outcome = await outcomeOf(reference.ds, reference.app.get(WeightsPreviewService), ref.id);
      await reference.app.close();
      reference = undefined;
      return outcome;
    })();
    // Settled here too, so a failure of the reference is reported even if the crash run fails first.
    referenceOutcome.catch(() => undefined);

    // The crash run: the tournament is created by an API-role app; worker processes play it.
    setup = await startWorker({ db: chaosDb.config, dataDir: path.join(dir, 'chaos'), env, role: 'api' });
    const t = await createClosedTournament(setup.app, rules);
    await addEntrants(setup.app, t.id, entrants);

    // Every container this instance creates, with its (run, attempt) labels, from the engine's own events.
    const { creates, stop: stopEvents } = await watchContainerCreates(docker, instance);

    const lives: string[] = [];
    for (let i = 0; i < points.length; i++) {
      const current = next;
      current.start(t.id);
      if (i + 1 < points.length) next = standby(points[i + 1]);
      lives.push(await current.ended);
    }
    stopEvents();

    // Every boundary was reached and killed in turn; the last life finished the tournament.
    expect(lives).toEqual([...KILL_POINTS.map((p) => `paused at ${p}`), 'done']);
    expect(new Set(KILL_POINTS)).toEqual(new Set(PAUSE_POINTS));
    const final = await setup.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.state).toBe('completed');

    // No (run, attempt) ever had two containers.
    const perAttempt = new Map<string, number>();
    for (const key of creates) perAttempt.set(key, (perAttempt.get(key) ?? 0) + 1);
    expect([...perAttempt.entries()].filter(([, n]) => n > 1)).toEqual([]);

    // Attempts are spent only on miner-caused outcomes: the kills cost nobody anything.
    const runs = await setup.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    const byEntrant = await setup.ds.getRepository(EntrantEntity).find({ where: { tournamentId: t.id } });
    const nameOf = (id: string) => path.basename(byEntrant.find((e) => e.id === id)?.repoUrl ?? id);
    expect(runs.filter((r) => r.outcome === 'infra_failed').map((r) => `${nameOf(r.entrantId)}: ${r.outcomeReason}`)).toEqual([]);
    expect(runs.every((r) => r.state === 'finished')).toBe(true);
    expect(runs.filter((r) => nameOf(r.entrantId) === 'broken').map((r) => [r.attempt, r.outcome])).toEqual(
      expect.arrayContaining([[1, 'miner_failed'], [2, 'miner_failed']]),
    );
    expect(runs.filter((r) => nameOf(r.entrantId) !== 'broken').every((r) => r.attempt === 1 && r.outcome === 'succeeded')).toBe(true);
    expect(new Set(runs.map((r) => `${r.taskId}/${r.entrantId}/${r.attempt}`)).size).toBe(runs.length);
    // Every run that trained did so in exactly one container of its own.
    expect(new Set(creates)).toEqual(new Set(runs.filter((r) => r.runnerRef).map((r) => `${r.id}#${r.attempt}`)));

    // Weights made once; every sealed bundle has its file.
    expect(await setup.ds.getRepository(WeightSetEntity).count()).toBeLessThanOrEqual(1);
    const bundles = await setup.ds.getRepository(AuditBundleEntity).find();
    expect(bundles.some((b) => b.kind === 'tournament' && b.subject === t.id)).toBe(true);
    for (const b of bundles) expect(fs.existsSync(path.join(dir, 'chaos', 'audit', bundleFileName(b.sequence, b.kind)))).toBe(true);

    // The same ranking, verdicts and weights as the uninterrupted tournament.
    expect(await outcomeOf(setup.ds, setup.app.get(WeightsPreviewService), t.id)).toEqual(await referenceOutcome);
    expect(await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${SANDBOX_LABELS.instance}=${instance}`] }) })).toEqual([]);
  }, 900_000);
});
