import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canonicalTestSplit, sha256Hex, type TokenSplit } from '../../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS, ModelScorer } from '../../src/evaluation/model-scorer';
import { bigramLoss, bigramModel, bigramTable } from '../support/onnx-models';
import { scoreOf } from '../support/evaluation';

const SEQ = 16;

/** A token split whose test sequences are consecutive SEQ-byte windows of `text`. */
function tokenSplit(text: string): TokenSplit {
  const bytes = Buffer.from(text, 'latin1');
  const test = Array.from({ length: Math.floor(bytes.length / SEQ) }, (_, i) => new Uint8Array(bytes.subarray(i * SEQ, (i + 1) * SEQ)));
  return { kind: 'tokens', seqLen: SEQ, testIndices: test.map((_, i) => i), test, train: new Uint8Array() };
}

/**
 * A waiting worker process reads, checks and parses the hidden split of the job before it (a
 * task's entries are evaluated one after another); a job on that split and commitment uses it,
 * any other job reads its own split as before.
 */
describe('worker split preload (real worker processes)', () => {
  let dir: string;
  let scorer: ModelScorer;
  let modelPath: string;
  const table = bigramTable(Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(30), 'latin1'));
  const a = tokenSplit('a lazy dog sleeps over the brown fox all day long, and the fox jumps '.repeat(4));
  const b = tokenSplit('zebras quietly graze while the quick brown fox runs over the hills '.repeat(4));
  const files = { a: '', b: '' };
  const sha = { a: sha256Hex(canonicalTestSplit(a)), b: sha256Hex(canonicalTestSplit(b)) };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-preload-'));
    files.a = path.join(dir, 'a.bin');
    files.b = path.join(dir, 'b.bin');
    fs.writeFileSync(files.a, canonicalTestSplit(a));
    fs.writeFileSync(files.b, canonicalTestSplit(b));
    fs.mkdirSync(path.join(dir, 'artifact'));
    modelPath = path.join(dir, 'artifact', 'model.onnx');
    fs.writeFileSync(modelPath, bigramModel(table));
    scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 60_000, memoryMb: 1024, maxModelBytes: 4 * 1024 * 1024, intraOpThreads: 1, batchUnits: DEFAULT_BATCH_UNITS });
  });
  afterAll(() => {
    scorer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const score = (file: string, sha256: string) => scorer.score({ taskType: 'causal-lm', modelPath, testSplitPath: file, testSetSha256: sha256, seed: 'preload-seed', lossesDir: path.join(dir, 'losses') });

  it('scores a job on the preloaded split as from its file, and a job on another split from that one', async () => {
    const first = scoreOf(await score(files.a, sha.a));
    expect(Math.abs(first.metricValue - bigramLoss(table, a.test))).toBeLessThan(1e-6);

    // The worker waiting now has split a; with the file moved away, only the preloaded copy can serve the job.
    await scorer.warm();
    fs.renameSync(files.a, `${files.a}.away`);
    try {
      const second = scoreOf(await score(files.a, sha.a));
      expect(second.lossesSha256).toBe(first.lossesSha256);
    } finally {
      fs.renameSync(`${files.a}.away`, files.a);
    }

    await scorer.warm();
    const other = scoreOf(await score(files.b, sha.b));
    expect(Math.abs(other.metricValue - bigramLoss(table, b.test))).toBeLessThan(1e-6);
    expect(Math.abs(other.metricValue - first.metricValue)).toBeGreaterThan(1e-3);
  });

  it('refuses a split that does not match the job commitment, whatever the waiting worker preloaded', async () => {
    // Waiting: split b under its own commitment; the job names b's file with a's commitment.
    await scorer.warm();
    expect(await score(files.b, sha.a)).toMatchObject({ ok: false, code: 'TEST_SPLIT_TAMPERED' });
    // Waiting now: a worker told to preload b's file under a's commitment, which it could not.
    await scorer.warm();
    expect(await score(files.b, sha.a)).toMatchObject({ ok: false, code: 'TEST_SPLIT_TAMPERED' });
  });
});
