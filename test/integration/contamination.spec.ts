import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import type { TokenDataset } from '../../src/evaluation/datasets/dataset';
import { DatasetRegistry, repoDatasetsDir } from '../../src/evaluation/datasets/dataset-registry';
import { splitDataset, type TokenSplit } from '../../src/evaluation/datasets/split';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { EvaluationResult, TaskDataRequest } from '../../src/evaluation/task-data';
import { RunScoring } from '../../src/runs/run-scoring.service';
import { createRepoIntake } from '../../src/repo-intake/repo-intake.module';
import { makeMinerRepo, makeRepo, MINERS_DIR } from '../support/git-fixtures';
import { uniformModel } from '../support/onnx-models';

/**
 * Issue 10: a miner whose repository carries the task's test examples is rejected before it is
 * scored, with the evidence; the example miners are never flagged. Real git repositories, the real
 * intake and the real hidden split of the public corpus.
 */
describe('contamination check on miners repositories', () => {
  let root: string;
  let scoring: RunScoring;
  let split: TokenSplit;
  let modelPath: string;
  const req: TaskDataRequest = { taskId: 'task-contamination', taskType: 'causal-lm', datasetId: 'devils-dictionary', seed: 'contamination-seed' };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-contamination-'));
    const config = loadConfig({ CRUCIBLE_DATA_DIR: path.join(root, 'data'), CRUCIBLE_GIT_ALLOW_INSECURE: 'true', CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1' });
    const registry = new DatasetRegistry();
    const taskData = new OnnxTaskDataService(config, registry);
    await taskData.prepare(req);
    scoring = new RunScoring(taskData, createRepoIntake(config));
    split = splitDataset((await registry.load(req.datasetId, req.seed)) as TokenDataset, req.seed) as TokenSplit;
    modelPath = path.join(root, 'model.onnx');
    fs.writeFileSync(modelPath, uniformModel());
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const score = (repo: { url: string; sha: string }): Promise<EvaluationResult> => scoring.score(req, { repoUrl: repo.url, commitSha: repo.sha }, modelPath, 0.5);

  it('rejects a miner that embeds 5% of the test split, naming the file and the examples', async () => {
    // 15 of the 300 hidden test windows (5%), pasted into a "notes" file beside an honest trainer.
    const chosen = [3, 40, 41, 77, 90, 101, 130, 150, 151, 199, 200, 233, 250, 280, 299];
    const notes = chosen.map((i) => Buffer.from(split.test[i]).toString('latin1')).join('\n');
    const files = Object.fromEntries(fs.readdirSync(path.join(MINERS_DIR, 'lm-small')).map((f) => [f, fs.readFileSync(path.join(MINERS_DIR, 'lm-small', f))]));
    const repo = makeRepo(path.join(root, 'repos', 'contaminated'), { ...files, 'data/notes.txt': Buffer.from(notes, 'latin1') });
    const result = await score(repo);
    if (result.ok) throw new Error('a contaminated repository was scored');
    expect(result).toMatchObject({ code: 'CONTAMINATED', infra: false, reason: 'contaminated: 15 of 300 test examples appear in data/notes.txt' });
    expect(result.evidence).toMatchObject({ method: 'crucible-contamination/1', ngram: 13, threshold: 0.5, contaminatedExamples: 15, testExamples: 300, examples: chosen, file: 'data/notes.txt', offset: 0 });
  });

  it('rejects a miner that carries the whole public corpus (every test window is in it)', async () => {
    const repo = makeRepo(path.join(root, 'repos', 'corpus'), { 'train.sh': 'true\n', 'crucible.json': '{}', 'corpus.txt': fs.readFileSync(path.join(repoDatasetsDir(), 'devils-dictionary.txt')) });
    const result = await score(repo);
    expect(!result.ok && result.reason).toBe('contaminated: 300 of 300 test examples appear in corpus.txt');
  });

  it.each(fs.readdirSync(MINERS_DIR))('does not flag the %s miner', async (name) => {
    const result = await score(makeMinerRepo(name, path.join(root, 'honest')));
    expect(result.ok ? 'scored' : result.code).toBe('scored');
  });
});
