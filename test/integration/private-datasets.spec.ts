import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { OnnxTaskDataService } from '../../src/evaluation/onnx-task-data.service';
import { uniformModel } from '../support/onnx-models';

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** Issue 10: the organiser's private datasets, checked by manifest at start; a bad one is refused by name. */
describe('private datasets (CRUCIBLE_DATASETS_DIR)', () => {
  let root: string;
  const corpus = 'The quick brown fox jumps over the lazy dog. '.repeat(200); // 9,000 bytes

  const dataset = (name: string, manifest: Record<string, unknown>, files: Record<string, string>): void => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), content);
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  };
  const good = (id: string) => ({ id, kind: 'text-bytes', file: 'corpus.txt', seqLen: 64, testFraction: 0.1, licence: 'CC0', sha256: { 'corpus.txt': sha(corpus) } });

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-private-'));
    dataset('good', good('org-corpus'), { 'corpus.txt': corpus });
    dataset('altered', good('org-altered'), { 'corpus.txt': `${corpus}!` });
    dataset('escape', { ...good('org-escape'), file: '../good/corpus.txt', sha256: { '../good/corpus.txt': sha(corpus) } }, {});
    dataset('linked', good('org-linked'), {});
    fs.symlinkSync(path.join(root, 'good', 'corpus.txt'), path.join(root, 'linked', 'corpus.txt'));
    dataset('missing', good('org-missing'), {});
    dataset('nohash', { ...good('org-nohash'), sha256: { 'corpus.txt': 'abc' } }, { 'corpus.txt': corpus });
    fs.mkdirSync(path.join(root, 'garbage'));
    fs.writeFileSync(path.join(root, 'garbage', 'manifest.json'), '{not json');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('accepts a valid dataset and refuses each bad one with a reason naming the file', () => {
    const problems: string[] = [];
    const registry = DatasetRegistry.withPrivate(root, (p) => problems.push(p));
    expect(registry.has('org-corpus')).toBe(true);
    expect(registry.visibility('org-corpus').visibility).toBe('private');
    expect(problems.sort()).toEqual(
      [
        'dataset altered refused: corpus.txt does not match its sha256 in manifest.json (altered or replaced)',
        'dataset escape refused: ../good/corpus.txt: the path must stay inside the dataset folder',
        'dataset garbage refused: manifest.json: not valid JSON',
        'dataset linked refused: corpus.txt is a symbolic link (only regular files inside the folder)',
        'dataset missing refused: corpus.txt is missing',
        'dataset nohash refused: manifest.json: sha256 of corpus.txt must be 64 lower-case hex digits',
      ].sort(),
    );
    for (const refused of ['org-altered', 'org-escape', 'org-linked', 'org-missing', 'org-nohash']) expect(registry.has(refused)).toBe(false);
  });

  it('serves a task from a private dataset: only the training split is written for the sandbox', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-private-data-'));
    try {
      const config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_DATASETS_DIR: root, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1' });
      const registry = DatasetRegistry.withPrivate(config.evaluation.datasetsDir, () => undefined);
      const service = new OnnxTaskDataService(config, registry);
      const req = { taskId: 'private-task', taskType: 'causal-lm' as const, datasetId: 'org-corpus', seed: 's' };
      const prepared = await service.prepare(req);
      // 9000 bytes = 140 windows of 64 (+ 40 bytes of tail); 14 test windows; 126 training windows.
      expect(fs.statSync(path.join(prepared.trainDir, 'tokens.bin')).size).toBe(126 * 64);
      const model = path.join(dataDir, 'model.onnx');
      fs.writeFileSync(model, uniformModel());
      const result = await service.evaluate(req, model);
      // crucible-eval/3 takes log-probabilities from a float32 LogSoftmax: ln 256 to float32 precision (5.5451775 vs 5.5451774).
      expect(result.ok && result.score.metricValue).toBeCloseTo(Math.log(256), 6);

      // The file changes after start: the next load refuses it by name.
      fs.appendFileSync(path.join(root, 'good', 'corpus.txt'), 'tampered');
      await expect(new DatasetRegistry(registry.list()).load('org-corpus')).rejects.toThrow(/corpus\.txt no longer matches its sha256 in manifest\.json/);
    } finally {
      fs.writeFileSync(path.join(root, 'good', 'corpus.txt'), corpus);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
