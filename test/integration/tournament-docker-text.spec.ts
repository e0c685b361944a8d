import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { verifyReveal } from '../../src/evaluation/datasets/split';
import { EvaluationEntity } from '../../src/evaluation/evaluation.entity';
import { reEvaluate } from '../../src/evaluation/re-evaluate';
import type { TaskType } from '../../src/evaluation/task-data';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import type { TaskTypeParams } from '../../src/scoring/rulebook';
import { newTournamentRulebook } from '../../src/scoring/tournament-rulebook';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TaskEntity } from '../../src/tournaments/task.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo, minerFiles, tunedMinerRepo } from '../support/git-fixtures';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

const TEXT_TYPES = ['instruct', 'preference', 'reward'];

const filesOf = minerFiles;

/** A copy of the text example miner with its own (tiny) hyperparameters. */
function textTuner(root: string, name: string, hyperparameters: Record<string, number>) {
  return tunedMinerRepo('text-tuner', root, name, hyperparameters);
}

/**
 * The default text tournament (rulebook 2026.12-5) end to end: instruct, preference and reward tasks
 * trained in the real Docker sandbox, scored by the real evaluators, decided in each metric's own
 * direction. Kept small for CI: two challengers (one knockout pair), a 3-task boss round (one task
 * of each type), a few training steps; the DPO beta is set to 0.5 so the test can tell that the
 * evaluation used the rulebook's value.
 */
describe('a whole text tournament of mixed task types with the real Docker sandbox (PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-docker-text-'));
    db = await createTestDatabase('postgres');
  });

  afterAll(async () => {
    await w?.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plays instruct, preference and reward tasks, each scored with the rulebook\'s constants and decided in its own direction', async () => {
    const repos = path.join(dir, 'repos');
    const baseline = textTuner(repos, 'baseline', { steps: 2, grpoSteps: 0 });
    const tuned = textTuner(repos, 'tuned', { steps: 10, lr: 0.003, grpoSteps: 3, groupSize: 2 });
    const broken = makeRepo(path.join(repos, 'broken'), { ...filesOf('exit-1'), 'crucible.json': Buffer.from(JSON.stringify({ entrypoint: 'train.sh', taskTypes: TEXT_TYPES })) });

    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      env: {
        CRUCIBLE_BASELINE_REPO_URL: baseline.url,
        CRUCIBLE_BASELINE_COMMIT: baseline.sha,
        CRUCIBLE_RUN_CONCURRENCY: 'cpu-2=2',
        CRUCIBLE_SANDBOX_MEMORY_MB: '1024',
        CRUCIBLE_STATIC_METAGRAPH: 'hotkey-0000=1,hotkey-0001=2',
      },
    });
    // The default text rules (createClosedTournament plays causal-lm unless told), with beta 0.5.
    const defaults = newTournamentRulebook();
    const taskTypes: Record<string, TaskTypeParams> = { ...defaults.taskTypes, preference: { beta: 0.5 } };
    const t = await createClosedTournament(w.app, {
      tournamentTaskTypes: defaults.tournamentTaskTypes,
      tournamentTypes: defaults.tournamentTypes,
      taskTypes,
      bossTasks: 3,
      attempts: 1,
      timeLimitsSeconds: { group: 180, knockout: 180, boss: 180 },
    });
    const [tunedEntrant] = await addEntrants(w.app, t.id, [
      { repoUrl: tuned.url, commitSha: tuned.sha, uid: 1 },
      { repoUrl: broken.url, commitSha: broken.sha, uid: 2 },
    ]);

    await w.runUntil(t.id, 'completed', 600);

    const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
    expect(rounds.map((r) => r.kind)).toEqual(['knockout', 'boss']);
    const tasks = await w.ds.getRepository(TaskEntity).find({ where: { tournamentId: t.id } });
    const [knockout, boss] = rounds.map((r) => tasks.filter((x) => x.roundId === r.id).sort((a, b) => a.slot - b.slot));
    // The knockout task's type is drawn from the round seed; the boss round plays one of each, in order.
    expect(knockout).toHaveLength(1);
    expect(TEXT_TYPES).toContain(knockout[0].taskType);
    expect(boss.map((x) => x.taskType)).toEqual(TEXT_TYPES);
    for (const task of tasks) {
      expect([task.datasetId, task.baseModel]).toEqual(['prompts-v2', 'base:byte-lm-v1']);
      // Each task carries its type's constants from the rulebook (also in the sandbox's /task/task.json).
      expect(task.spec.params).toEqual(taskTypes[task.taskType] ?? {});
      const regenerated = await new DatasetRegistry().load(task.datasetId, task.revealedSeed as string);
      expect(verifyReveal(regenerated, task.revealedSeed as string, { seedCommitment: task.seedCommitment, testSetCommitment: task.testSetCommitment }).ok).toBe(true);
    }

    const runs = await w.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: t.id } });
    expect(runs.filter((r) => r.outcome === 'miner_failed')).toHaveLength(1);
    expect(runs.every((r) => r.state === 'finished' && r.runnerKind === 'docker' && r.imageDigest)).toBe(true);

    const evaluations = (await w.ds.getRepository(EvaluationEntity).find()).filter((e) => tasks.some((x) => x.id === e.taskId));
    const typeOf = new Map(tasks.map((x) => [x.id, x.taskType]));
    const metricOf: Record<string, string> = { instruct: 'response_cross_entropy_nats', preference: 'dpo_loss_nats', reward: 'reward' };
    for (const e of evaluations) expect(e.metricName).toBe(metricOf[typeOf.get(e.taskId) as string]);
    // The base model against itself as the DPO reference: margin 0 whatever beta, so exactly ln 2.
    for (const e of evaluations.filter((x) => x.runId === null && typeOf.get(x.taskId) === 'preference')) expect(e.metricValue).toBeCloseTo(Math.LN2, 12);
    for (const e of evaluations.filter((x) => typeOf.get(x.taskId) === 'reward')) expect(e.metricValue).toBeGreaterThanOrEqual(0);

    // The boss verdict takes each task's margin in its metric's direction.
    const verdict = rounds[1].decision?.verdict as { tasks: Array<{ direction: string }> } | undefined;
    expect(verdict?.tasks.map((x) => x.direction)).toEqual(['lower', 'lower', 'higher']);

    // The tuned miner's boss preference model, re-scored: with the rulebook's beta 0.5 it gives the
    // recorded metric bit for bit; with the value from before the rulebook carried it (0.1) it does not.
    const preference = boss[1];
    const run = runs.find((r) => r.taskId === preference.id && r.entrantId === tunedEntrant.id && r.outcome === 'succeeded');
    const recorded = evaluations.find((e) => e.runId === run?.id);
    expect(run?.artifactPath && recorded).toBeTruthy();
    const again = (params: Record<string, number>) =>
      reEvaluate({ modelPath: run!.artifactPath!, taskType: preference.taskType as TaskType, datasetId: preference.datasetId, seed: preference.secretSeed, params, print: () => {} });
    const withRulebook = await again({ beta: 0.5 });
    const before = await again({});
    expect(withRulebook.result.ok && withRulebook.result.score.metricValue).toBe(recorded!.metricValue);
    expect(before.result.ok && before.result.score.metricValue).not.toBe(recorded!.metricValue);

    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.ranking).toContain(tunedEntrant.id);
    // createClosedTournament gives text the whole emission: the ranked entrants share it.
    const { vector } = await w.app.get(WeightsPreviewService).preview();
    expect(vector.shares.some((s) => s.tournamentType === 'text' && s.kind === 'rank' && s.hotkey === 'hotkey-0000')).toBe(true);
    expect(vector.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  }, 900_000);
});
