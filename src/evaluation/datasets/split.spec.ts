import * as fs from 'node:fs';
import { builtinDatasets, loadDataset, parseDataset } from './dataset-registry';
import type { ImageSplit } from './image-split';
import type { DatasetDefinition, StoredDatasetDefinition, TokenDataset } from './dataset';
import { generateBlobsJsonl } from './blobs';
import { canonicalTestSplit, commitmentsFor, parseCanonicalTestSplit, selectTestIndices, seedCommitment, splitDataset, verifyReveal } from './split';

const textDef: DatasetDefinition = { id: 't', kind: 'text-bytes', path: '-', seqLen: 4, testFraction: 0.25, description: '' };
const tokens = (): TokenDataset => parseDataset(textDef, Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789!')) as TokenDataset;

describe('seeded split and commitments', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(selectTestIndices('s1', 100, 0.1)).toEqual(selectTestIndices('s1', 100, 0.1));
    expect(selectTestIndices('s1', 100, 0.1)).not.toEqual(selectTestIndices('s2', 100, 0.1));
    expect(selectTestIndices('s1', 100, 0.1)).toHaveLength(10);
    expect(selectTestIndices('s1', 2, 0.9)).toHaveLength(1);
  });

  it('keeps every whole window exactly once across train and test, the training windows shuffled', () => {
    const split = splitDataset(tokens(), 'seed');
    if (split.kind !== 'tokens') throw new Error('kind');
    expect(split.test).toHaveLength(2);
    // 37 bytes = 9 windows of 4 + a 1-byte tail that is never handed out: 7 training windows.
    const text = (b: Uint8Array): string => Buffer.from(b).toString('ascii');
    const trainWindows = (text(split.train).match(/.{4}/g) ?? []) as string[];
    expect(trainWindows).toHaveLength(7);
    expect([...trainWindows, ...split.test.map(text)].sort()).toEqual(['abcd', 'efgh', 'ijkl', 'mnop', 'qrst', 'uvwx', 'yz01', '2345', '6789'].sort());
    // Not the corpus in order with gaps: the training windows come in a seeded order.
    expect(trainWindows).not.toEqual([...trainWindows].sort((a, b) => 'abcdefghijklmnopqrstuvwxyz0123456789'.indexOf(a[0]) - 'abcdefghijklmnopqrstuvwxyz0123456789'.indexOf(b[0])));
    const parsed = parseCanonicalTestSplit(canonicalTestSplit(split));
    expect(parsed).toMatchObject({ kind: 'tokens', count: 2, seqLen: 4 });
  });

  it('re-derives commitments from a reveal and refuses a wrong seed', () => {
    const published = commitmentsFor(splitDataset(tokens(), 'secret'), 'secret');
    expect(published.seedCommitment).toBe(seedCommitment('secret'));
    expect(verifyReveal(tokens(), 'secret', published).ok).toBe(true);
    expect(verifyReveal(tokens(), 'guess', published)).toMatchObject({ ok: false, seedMatches: false });
  });

  it('round-trips a classification split through the canonical form', () => {
    const def = builtinDatasets().find((d) => d.id === 'blobs-8x4') as StoredDatasetDefinition;
    const ds = parseDataset(def, fs.readFileSync(def.path));
    const split = splitDataset(ds, 'x');
    const parsed = parseCanonicalTestSplit(canonicalTestSplit(split));
    expect(parsed).toMatchObject({ kind: 'classification', count: 240, dim: 8, numClasses: 4 });
  });

  it('ships blobs-8x4.jsonl exactly as the generator writes it', () => {
    const def = builtinDatasets().find((d) => d.id === 'blobs-8x4') as StoredDatasetDefinition;
    expect(fs.readFileSync(def.path, 'utf8')).toBe(generateBlobsJsonl());
  });

  it('refuses malformed JSONL', () => {
    const def: DatasetDefinition = { id: 'j', kind: 'jsonl-classification', path: '-', numClasses: 2, testFraction: 0.5, description: '' };
    expect(() => parseDataset(def, Buffer.from('{"features":[1],"label":5}\n{"features":[1],"label":0}\n'))).toThrow(/label/);
  });
});

describe('image test split', () => {
  it('parses back to the float32 values it was written from (noisy input and noise, every image)', async () => {
    const shapes = builtinDatasets().find((d) => d.id === 'shapes-16-v1');
    if (!shapes || shapes.kind !== 'generated-images') throw new Error('shapes-16-v1 is not a generated image dataset');
    const split = splitDataset(await loadDataset({ ...shapes, count: 40, testFraction: 0.5 }, 'seed'), 'seed') as ImageSplit;
    const parsed = parseCanonicalTestSplit(canonicalTestSplit(split));
    if (parsed.kind !== 'images') throw new Error(`parsed a ${parsed.kind} split`);
    const p = split.channels * split.size * split.size;
    expect(parsed.count).toBe(20);
    split.test.forEach((ex, k) => {
      expect(Array.from(parsed.noisy.subarray(k * p, (k + 1) * p))).toEqual(Array.from(ex.noisy));
      expect(Array.from(parsed.noise.subarray(k * p, (k + 1) * p))).toEqual(Array.from(ex.noise));
      expect(parsed.timestepOf[k]).toBe(ex.timestep);
    });
  });
});
