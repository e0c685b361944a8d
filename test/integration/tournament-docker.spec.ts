import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { verifyReveal } from '../../src/evaluation/datasets/split';
import { EvaluationEntity } from '../../src/evaluation/evaluation.entity';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TaskEntity } from '../../src/tournaments/task.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo, minerFiles, tunedMinerRepo } from '../support/git-fixtures';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

const filesOf = minerFiles;

/** A copy of the PyTorch example miner with its own (tiny) hyperparameters. */
function trainer(root: string, name: string, hyperparameters: Record<string, number>) {
  return tunedMinerRepo('lm-small', root, name, hyperparameters);
}

describe('a whole tournament with the real Docker sandbox and real ONNX evaluation (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-docker-t-'));
    db = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await w?.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains, evaluates, runs knockout and boss rounds, and ends in weights', async () => {
    const repos = path.join(dir, 'repos');
    const baseline = trainer(repos, 'baseline', { steps: 2, width: 8, context: 2 });
    const strong = trainer(repos, 'strong', { steps: 12, width: 32, context: 3, lr: 0.01 });
    // Writes the three-node look-ahead model (issue 19): it would take every round if it were scored.
    const cheater = makeRepo(path.join(repos, 'look-ahead'), filesOf('look-ahead'));
    const brokenRepo = makeRepo(path.join(repos, 'broken-committed'), filesOf('exit-1'));

    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      env: {
        CRUCIBLE_BASELINE_REPO_URL: baseline.url,
        CRUCIBLE_BASELINE_COMMIT: baseline.sha,
        CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=2',
        CRUCIBLE_SANDBOX_MEMORY_MB: '1024',
        // Weights pay the uids of the metagraph when they are made (addEntrants' hotkey-NNNN).
        CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2,hotkey-0002=3',
      },
    });
    const t = await createClosedTournament(w.app, {
      bossTasks: 2,
      attempts: 1,
      timeLimitsSeconds: { group: 120, knockout: 120, boss: 120 },
    });
    const [strongEntrant, cheaterEntrant] = await addEntrants(w.app, t.id, [
      { repoUrl: strong.url, commitSha: strong.sha, uid: 1 },
      { repoUrl: cheater.url, commitSha: cheater.sha, uid: 2 },
      { repoUrl: brokenRepo.url, commitSha: brokenRepo.sha, uid: 3 },
    ]);

    await w.runUntil(t.id, 'completed', 400);

    const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    const brokenRuns = runs.filter((r) => r.outcome === 'miner_failed');
    expect(brokenRuns.length).toBe(1); // attempt budget 1: no second try
    const cheats = runs.filter((r) => r.entrantId === cheaterEntrant.id);
    expect(cheats).toHaveLength(1);
    expect(cheats[0].outcome).toBe('output_invalid');
    expect(cheats[0].outcomeReason).toMatch(/^NON_CAUSAL: non-causal: logits at position (\d+) changed when tokens after \1 changed$/);
    expect(cheats[0].evidence).toMatchObject({ method: 'crucible-causal/3', deviation: 40 }); // one-hot logits +-20
    expect(runs.filter((r) => r.outcome === 'succeeded').every((r) => /^[0-9a-f]{64}$/.test(r.artifactSha256 ?? ''))).toBe(true);
    expect(runs.every((r) => r.state === 'finished' && r.imageDigest)).toBe(true);
    // Each step wrote only its own fields: the runner recorded at start survives the end of the run.
    expect(runs.every((r) => r.runnerKind === 'docker' && /^[0-9a-f]{64}$/.test(r.runnerRef ?? ''))).toBe(true);

    const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
    // strong beats the (rejected) cheater; broken loses to the champion in the bye pair; strong meets the champion.
    expect(rounds.map((r) => r.kind)).toEqual(['knockout', 'boss']);

    const evaluations = await w.ds.getRepository(EvaluationEntity).find();
    const baselines = evaluations.filter((e) => e.runId === null);
    const tasks = await w.ds.getRepository(TaskEntity).find({ where: { tournamentId: t.id } });
    expect(baselines.length).toBe(tasks.length);
    expect(tasks.every((x) => x.revealedSeed === x.secretSeed)).toBe(true);
    // The tasks ran on the generated dataset; after the reveal anyone regenerates each test set from
    // the revealed seed and checks it against the commitment published before training.
    expect(new Set(tasks.map((x) => x.datasetId))).toEqual(new Set(['grammar-lm-v1']));
    for (const task of tasks) {
      const regenerated = await new DatasetRegistry().load(task.datasetId, task.revealedSeed as string);
      const check = verifyReveal(regenerated, task.revealedSeed as string, { seedCommitment: task.seedCommitment, testSetCommitment: task.testSetCommitment });
      expect(check.ok).toBe(true);
    }
    for (const e of evaluations) expect(e.metricValue).toBeLessThan(Math.log(256) + 0.5);
    // Every scored model passed the causality check, with its sample recorded.
    for (const e of evaluations) expect(e.causality).toMatchObject({ method: 'crucible-causal/3', maxDeviation: 0 });

    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.winnerEntrantId).toBe(strongEntrant.id);
    const weights = await w.app.get(WeightsPreviewService).preview();
    expect(weights.vector.uids[weights.vector.weights.indexOf(Math.max(...weights.vector.weights))]).toBe(1);
    // The cheater (uid 2) has no valid run: no rank share, no participation share.
    expect(weights.vector.uids).not.toContain(2);
  }, 600_000);
});
