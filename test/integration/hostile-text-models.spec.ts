import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { generatePrompts, type PromptExample } from '../../src/evaluation/datasets/prompts-generator';
import { selectTestIndices } from '../../src/evaluation/datasets/split';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import type { TaskDataRequest } from '../../src/evaluation/task-data';
import { repeatedWordPenaltyModel, twinRowCopyModel } from '../support/hostile-text-models';
import { scoreOf, writeArtifact } from '../support/evaluation';

/**
 * Cheating miners against the text task types, on the generated prompts and the real base model,
 * through the service and its worker processes (red-team review of issue 11).
 */
describe('hostile text models (prompts-v1/v2, base:byte-lm-v1, real onnxruntime)', () => {
  let dataDir: string;
  let service: OnnxTaskDataService;
  const seed = (datasetId: string): string => `red-team-preference-${datasetId}`;
  const prepared = async (datasetId: string): Promise<TaskDataRequest> => {
    const req: TaskDataRequest = { taskId: `task-red-team-${datasetId}`, taskType: 'preference', datasetId, seed: seed(datasetId) };
    await service.prepare(req);
    return req;
  };

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-hostile-text-'));
    const config = loadConfig({
      CRUCIBLE_DATA_DIR: dataDir,
      CRUCIBLE_EXECUTION_PROVIDER: 'cpu',
      CRUCIBLE_EVAL_THREADS: '1',
      CRUCIBLE_EVAL_MEMORY_MB: '1024',
      CRUCIBLE_EVAL_TIMEOUT_SECONDS: '30',
    });
    service = new OnnxTaskDataService(config, new DatasetRegistry());
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const artifact = (model: Uint8Array): string => writeArtifact(dataDir, model);

  // The rows the cheat hits, counted from the examples by hand (independent of the evaluator): where
  // the rejected response starts with the prompt word's first letter and the chosen one does not,
  // the rejected log-probability drops by about 1e4 nats, the margin is about beta * 1e4 and the
  // loss underflows to 0; where it is the other way round, the chosen one drops and the loss is
  // about beta * 1e4. Every other row is the base model on both sides of the margin: exactly ln 2.
  const testExamples = (datasetId: string, version: 'crucible-prompts/1' | 'crucible-prompts/2') => {
    const all = generatePrompts(seed(datasetId), 2400, version);
    return selectTestIndices(seed(datasetId), 2400, 0.1).map((i) => all[i]);
  };
  const startsWithWord = (ex: PromptExample, response: string): boolean => ex.prompt.startsWith('rev ') && response[0] === ex.prompt[4];
  const helped = (ex: PromptExample): boolean => startsWithWord(ex, ex.rejected) && !startsWithWord(ex, ex.answer);
  const hurt = (ex: PromptExample): boolean => startsWithWord(ex, ex.answer) && !startsWithWord(ex, ex.rejected);

  it('preference on prompts-v1 (hole, kept for audits): never starting with the prompt word scores 0 loss on every rev row it can tell', async () => {
    const test = testExamples('prompts-v1', 'crucible-prompts/1');
    expect(test.filter(hurt)).toHaveLength(0);
    const hits = test.filter(helped).length;
    expect(hits).toBeGreaterThan(test.length / 5);
    const score = scoreOf(await service.evaluate(await prepared('prompts-v1'), artifact(repeatedWordPenaltyModel())));
    expect(score.metricValue).toBeCloseTo((Math.LN2 * (test.length - hits)) / test.length, 9);
    // margin > 0 on every row it hits (rows where both responses share their first token add only
    // rounding-level margins, either sign).
    expect(score.accuracy).toBeGreaterThanOrEqual(hits / test.length);
  });

  it('preference on prompts-v2: the same cheat scores worse than the base model (its rejected rev answers share the letters and the first one)', async () => {
    const test = testExamples('prompts-v2', 'crucible-prompts/2');
    const helps = test.filter(helped).length;
    const hurts = test.filter(hurt).length;
    expect(helps).toBeLessThan(test.length / 50);
    expect(hurts).toBeGreaterThan(0);
    const score = scoreOf(await service.evaluate(await prepared('prompts-v2'), artifact(repeatedWordPenaltyModel())));
    expect(score.metricValue).toBeGreaterThan(Math.LN2);
  });

  it('preference: reading the twin row (same prompt, the other response) in the scoring batch is NON_CAUSAL', async () => {
    // 480 sequences of 20 tokens fit one batch of 16,384 units, so every rejected row runs after its
    // chosen twin and reads its continuation (unchecked, this model scores a DPO loss of 0.357 and
    // prefers the chosen response on 230 of 240 rows: measured by calling the evaluator without a
    // causality seed). The spliced rows of the check run in a batch of their own, without twins, so
    // the model's output differs there at every position up to the cut where it used a twin.
    const result = await service.evaluate(await prepared('prompts-v2'), artifact(twinRowCopyModel()));
    if (result.ok) throw new Error(`expected NON_CAUSAL, got a score of ${result.score.metricValue}`);
    expect(result).toMatchObject({ code: 'NON_CAUSAL', infra: false });
    // The offending row is a rejected one (they follow the 240 chosen ones): only they have a twin before them.
    expect(result.evidence?.example).toBeGreaterThanOrEqual(240);
  });
});
