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

/** A copy of the image example miner with its own (tiny) hyperparameters. */
function denoiser(root: string, name: string, hyperparameters: Record<string, number>) {
  return tunedMinerRepo('image-denoiser', root, name, hyperparameters);
}

describe('a whole image tournament with the real Docker sandbox and real ONNX evaluation (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-docker-image-'));
    db = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await w?.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trains denoisers, scores them on seed-drawn noise, plays knockout and boss rounds on image tasks, and pays the image pool', async () => {
    const repos = path.join(dir, 'repos');
    const baseline = denoiser(repos, 'baseline', { steps: 2, fromScratch: 1 });
    const strong = denoiser(repos, 'strong', { steps: 10, lr: 0.003 });
    const broken = makeRepo(path.join(repos, 'broken'), { ...filesOf('exit-1'), 'crucible.json': Buffer.from('{ "entrypoint": "train.sh", "taskTypes": ["image"] }\n') });

    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      env: {
        CRUCIBLE_TOURNAMENT_TYPES: 'image',
        CRUCIBLE_BASELINE_REPO_URL: baseline.url,
        CRUCIBLE_BASELINE_COMMIT: baseline.sha,
        CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=2',
        CRUCIBLE_SANDBOX_MEMORY_MB: '1024',
        CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2',
      },
    });
    // The default pools (text 0.6, image 0.3): no text tournament has finished, so its pool is burnt.
    const t = await createClosedTournament(w.app, { pools: { text: 0.6, image: 0.3 }, bossTasks: 2, attempts: 1, timeLimitsSeconds: { group: 180, knockout: 180, boss: 180 } }, 'image');
    const [strongEntrant] = await addEntrants(w.app, t.id, [
      { repoUrl: strong.url, commitSha: strong.sha, uid: 1 },
      { repoUrl: broken.url, commitSha: broken.sha, uid: 2 },
    ]);

    await w.runUntil(t.id, 'completed', 500);

    const tasks = await w.ds.getRepository(TaskEntity).find({ where: { tournamentId: t.id } });
    expect(new Set(tasks.map((x) => `${x.taskType} ${x.datasetId} ${x.hardware} ${String(x.spec.sandboxImage)}`))).toEqual(new Set(['image shapes-16-v1 cpu-2 cpu']));
    const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
    expect(rounds.map((r) => r.kind)).toEqual(['knockout', 'boss']);
    for (const task of tasks) {
      const regenerated = await new DatasetRegistry().load(task.datasetId, task.revealedSeed as string);
      expect(verifyReveal(regenerated, task.revealedSeed as string, { seedCommitment: task.seedCommitment, testSetCommitment: task.testSetCommitment }).ok).toBe(true);
    }

    const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    expect(runs.filter((r) => r.outcome === 'miner_failed')).toHaveLength(1);
    expect(runs.every((r) => r.state === 'finished' && r.runnerKind === 'docker' && r.imageDigest)).toBe(true);

    const evaluations = await w.ds.getRepository(EvaluationEntity).find();
    const ofTournament = evaluations.filter((e) => tasks.some((x) => x.id === e.taskId));
    // The base model of image tasks (base:shapes-denoiser-v1) scores about 0.13 (predicting no noise: about 1).
    for (const e of ofTournament.filter((x) => x.runId === null)) {
      expect(e.metricName).toBe('denoising_mse');
      expect(e.metricValue).toBeLessThan(0.3);
    }
    const strongRuns = new Set(runs.filter((r) => r.entrantId === strongEntrant.id).map((r) => r.id));
    const strongScores = ofTournament.filter((e) => e.runId !== null && strongRuns.has(e.runId));
    expect(strongScores.length).toBeGreaterThan(0);
    // 10 steps of fine-tuning the base denoiser (the base alone: about 0.13; the champion, 2 steps from scratch: about 1).
    for (const e of strongScores) expect(e.metricValue).toBeLessThan(0.3);

    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.winnerEntrantId).toBe(strongEntrant.id);
    // Image pool 0.3: the winner first; text's 0.6 (no result) and the unpooled 0.1 go to the burn uid 0.
    const { vector } = await w.app.get(WeightsPreviewService).preview();
    const shares = vector.shares.filter((s) => s.tournamentType === 'image' && !s.burned);
    expect(shares[0]).toMatchObject({ hotkey: 'hotkey-0000', rank: 1, kind: 'rank' });
    expect(vector.shares.find((s) => s.kind === 'no_result')).toMatchObject({ tournamentType: 'text', weight: 0.6, uid: 0 });
    expect(vector.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  }, 900_000);
});
