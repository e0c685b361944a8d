import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DatasetRegistry } from '../evaluation/datasets/dataset-registry';
import { canonicalTestSplit, splitDataset } from '../evaluation/datasets/split';
import { causalitySamples, revealedSplits, splitCommitments } from './audit-command';
import type { AuditBundleBody } from './bundle-format';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const task = (id: string, datasetId: string, revealedSeed: string | null) => ({ id, datasetId, revealedSeed });

describe('split commitments an auditor re-derives', () => {
  it('regenerates readable datasets from the seed, and takes a private dataset from its revealed test-set file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-testsets-'));
    try {
      const privateTask = '11111111-2222-3333-4444-555555555555';
      const revealed = Buffer.from('CRUCIBLE-TEST-SPLIT/1 tokens-u8\n...the organiser hands this file over after the reveal');
      fs.writeFileSync(path.join(dir, `${privateTask}.bin`), revealed);
      const bodies = [{ tasks: [task('a0000000-0000-0000-0000-000000000000', 'grammar-lm-v1', 'seed-1'), task(privateTask, 'org-private', 'seed-2'), task('b0000000-0000-0000-0000-000000000000', 'org-private', null)] }] as unknown as AuditBundleBody[];
      const registry = new DatasetRegistry();
      const derive = await splitCommitments(bodies, registry, dir);
      // Second source for the generated one: the split computed here directly.
      const expected = sha(canonicalTestSplit(splitDataset(await registry.load('grammar-lm-v1', 'seed-1'), 'seed-1')));
      expect(derive({ taskId: 'a0000000-0000-0000-0000-000000000000', datasetId: 'grammar-lm-v1', taskType: 'causal-lm', seed: 'seed-1' })).toBe(expected);
      expect(derive({ taskId: privateTask, datasetId: 'org-private', taskType: 'causal-lm', seed: 'seed-2' })).toBe(sha(revealed));
      // No file handed over: nothing to compare (the check counts it as skipped).
      expect(derive({ taskId: 'b0000000-0000-0000-0000-000000000000', datasetId: 'org-private', taskType: 'causal-lm', seed: 'x' })).toBeNull();
      const withoutFiles = await splitCommitments(bodies, registry);
      expect(withoutFiles({ taskId: privateTask, datasetId: 'org-private', taskType: 'causal-lm', seed: 'seed-2' })).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('re-derives the causality sample an evaluation drew, by the method it recorded', async () => {
    const bodies = [{ tasks: [task('a0000000-0000-0000-0000-000000000000', 'grammar-lm-v1', 'seed-1')] }] as unknown as AuditBundleBody[];
    const sample = causalitySamples(await revealedSplits(bodies, new DatasetRegistry()));
    const req = { taskId: 'a0000000-0000-0000-0000-000000000000', datasetId: 'grammar-lm-v1', taskType: 'causal-lm', seed: 'seed-1' };
    // 3072 windows, test fraction 0.1: round(307.2) = 307 test sequences. /2: min(64, floor(307 / 2)) = 64; /1: ceil(307 / 4) = 77.
    const v2 = sample(req, 'aa'.repeat(32), 'crucible-causal/2');
    expect(v2).toHaveLength(64);
    expect(sample(req, 'aa'.repeat(32), 'crucible-causal/1')).toHaveLength(77);
    // Another model draws another sample; a task type without the check, or a split not revealed here, has none.
    expect(sample(req, 'bb'.repeat(32), 'crucible-causal/2')).not.toEqual(v2);
    expect(sample({ ...req, taskType: 'reward' }, 'aa'.repeat(32), 'crucible-causal/2')).toBeNull();
    expect(sample({ ...req, seed: 'not-revealed' }, 'aa'.repeat(32), 'crucible-causal/2')).toBeNull();
  });
});
