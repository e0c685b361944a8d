// Buffer imported, not read from the global object: in a jest suite that is a vm context's, and each
// read in the sort comparator below went through its slow lookup.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { fnv1a64, seededShuffle } from '../../scoring/prng';
import type { ClassificationDataset, ClassificationExample, LoadedDataset, TokenDataset } from './dataset';
import { canonicalImageSplit, IMAGES_MAGIC, type ImageSplit, type ImageTestSplit, parseImageSplit, splitImages } from './image-split';
import { canonicalPromptSplit, parsePromptSplit, type PromptSplit, type PromptTestSplit, PROMPTS_MAGIC, splitPrompts } from './prompts-split';

/**
 * Pure, seeded train/test split and the canonical serialisation of the hidden test split.
 * Everything here is re-implementable from src/evaluation/README.md ("Splits and commitments"),
 * so an auditor holding the revealed seed and the dataset can check both commitments.
 */

export const SPLIT_VERSION = 'crucible-split/1';

export interface TokenSplit {
  kind: 'tokens';
  seqLen: number;
  /** Dataset indices of the test sequences, ascending. */
  testIndices: number[];
  /** Test sequences, each `seqLen` tokens, in `testIndices` order. */
  test: Uint8Array[];
  /**
   * Training tokens: the remaining sequences in a seeded shuffled order (trainWindowOrder), without
   * the unwindowed tail, so the training data does not lay the corpus out with gaps where the
   * test windows were.
   */
  train: Uint8Array;
}

export interface ClassificationSplit {
  kind: 'classification';
  dim: number;
  numClasses: number;
  testIndices: number[];
  test: ClassificationExample[];
  train: ClassificationExample[];
}

export type DatasetSplit = TokenSplit | ClassificationSplit | ImageSplit | PromptSplit;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The published seed commitment: sha256 of the seed's UTF-8 bytes. */
export function seedCommitment(seed: string): string {
  return sha256Hex(Buffer.from(seed, 'utf8'));
}

/**
 * Chooses `round(n * testFraction)` (at least 1, at most n-1) test indices: the indices whose key
 * sha256(utf8(seed) || 0x00 || u32be(index)) is smallest, compared as bytes.
 */
export function selectTestIndices(seed: string, count: number, testFraction: number): number[] {
  const testCount = Math.min(count - 1, Math.max(1, Math.round(count * testFraction)));
  const seedBytes = Buffer.from(seed, 'utf8');
  const keyed: { index: number; key: Buffer }[] = [];
  const suffix = Buffer.alloc(5);
  for (let index = 0; index < count; index += 1) {
    suffix.writeUInt8(0, 0);
    suffix.writeUInt32BE(index, 1);
    keyed.push({ index, key: createHash('sha256').update(seedBytes).update(suffix).digest() });
  }
  keyed.sort((a, b) => Buffer.compare(a.key, b.key) || a.index - b.index);
  return keyed
    .slice(0, testCount)
    .map((k) => k.index)
    .sort((a, b) => a - b);
}

export function splitDataset(dataset: LoadedDataset, seed: string): DatasetSplit {
  if (dataset.kind === 'prompts') return splitPrompts(dataset, selectTestIndices(seed, dataset.examples.length, dataset.testFraction));
  if (dataset.kind === 'images') return splitImages(dataset, seed, selectTestIndices(seed, dataset.labels.length, dataset.testFraction));
  return dataset.kind === 'tokens' ? splitTokens(dataset, seed) : splitClassification(dataset, seed);
}

function splitTokens(dataset: TokenDataset, seed: string): TokenSplit {
  const { seqLen, tokens } = dataset;
  const count = Math.floor(tokens.length / seqLen);
  const testIndices = selectTestIndices(seed, count, dataset.testFraction);
  const isTest = new Uint8Array(count);
  for (const i of testIndices) isTest[i] = 1;
  const order = trainWindowOrder(
    Array.from({ length: count }, (_, i) => i).filter((i) => !isTest[i]),
    seed,
  );
  const train = new Uint8Array(order.length * seqLen);
  order.forEach((i, k) => train.set(tokens.subarray(i * seqLen, (i + 1) * seqLen), k * seqLen));
  const test = testIndices.map((i) => tokens.slice(i * seqLen, (i + 1) * seqLen));
  return { kind: 'tokens', seqLen, testIndices, test, train };
}

/**
 * The order the training windows are handed to miners in: seededShuffle (scoring/prng.ts, a
 * SplitMix64 Fisher-Yates) of the training window indices, seeded with fnv1a64(seed + ":train-order").
 */
export function trainWindowOrder(trainIndices: number[], seed: string): number[] {
  return seededShuffle(trainIndices, fnv1a64(`${seed}:train-order`));
}

function splitClassification(dataset: ClassificationDataset, seed: string): ClassificationSplit {
  const testIndices = selectTestIndices(seed, dataset.examples.length, dataset.testFraction);
  const testSet = new Set(testIndices);
  return {
    kind: 'classification',
    dim: dataset.dim,
    numClasses: dataset.numClasses,
    testIndices,
    test: testIndices.map((i) => dataset.examples[i]),
    train: dataset.examples.filter((_, i) => !testSet.has(i)),
  };
}

const TOKENS_MAGIC = 'CRUCIBLE-TEST-SPLIT/1 tokens-u8\n';
const CLASSIFICATION_MAGIC = 'CRUCIBLE-TEST-SPLIT/1 features-f32\n';

/**
 * The canonical bytes of a test split (the committed value; also the hidden file the evaluator
 * reads). All integers little-endian.
 *   tokens:         magic, u32 count, u32 seqLen, then per example: u32 index, seqLen x u8 token
 *   classification: magic, u32 count, u32 dim, u32 numClasses, then per example:
 *                   u32 index, u32 label, dim x f32 feature
 */
export function canonicalTestSplit(split: DatasetSplit): Buffer {
  if (split.kind === 'images') return canonicalImageSplit(split);
  if (split.kind === 'prompts') return canonicalPromptSplit(split);
  if (split.kind === 'tokens') {
    const magic = Buffer.from(TOKENS_MAGIC, 'ascii');
    const out = Buffer.alloc(magic.length + 8 + split.test.length * (4 + split.seqLen));
    let o = magic.copy(out, 0);
    o = out.writeUInt32LE(split.test.length, o);
    o = out.writeUInt32LE(split.seqLen, o);
    split.test.forEach((seq, k) => {
      o = out.writeUInt32LE(split.testIndices[k], o);
      out.set(seq, o);
      o += seq.length;
    });
    return out;
  }
  const magic = Buffer.from(CLASSIFICATION_MAGIC, 'ascii');
  const out = Buffer.alloc(magic.length + 12 + split.test.length * (8 + 4 * split.dim));
  let o = magic.copy(out, 0);
  o = out.writeUInt32LE(split.test.length, o);
  o = out.writeUInt32LE(split.dim, o);
  o = out.writeUInt32LE(split.numClasses, o);
  split.test.forEach((ex, k) => {
    o = out.writeUInt32LE(split.testIndices[k], o);
    o = out.writeUInt32LE(ex.label, o);
    for (const f of ex.features) o = out.writeFloatLE(f, o);
  });
  return out;
}

/** The parsed hidden test split as the evaluators consume it. */
export type TestSplit =
  | { kind: 'tokens'; seqLen: number; count: number; indices: Uint32Array; tokens: Uint8Array }
  | { kind: 'classification'; dim: number; numClasses: number; count: number; indices: Uint32Array; labels: Uint32Array; features: Float32Array }
  | ImageTestSplit
  | PromptTestSplit;

export function parseCanonicalTestSplit(bytes: Uint8Array): TestSplit {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const newline = buf.indexOf(0x0a);
  const magic = buf.subarray(0, newline + 1).toString('ascii');
  let o = newline + 1;
  if (magic === TOKENS_MAGIC) {
    const count = buf.readUInt32LE(o);
    const seqLen = buf.readUInt32LE(o + 4);
    o += 8;
    expectLength(buf, o + count * (4 + seqLen));
    const indices = new Uint32Array(count);
    const tokens = new Uint8Array(count * seqLen);
    for (let k = 0; k < count; k += 1) {
      indices[k] = buf.readUInt32LE(o);
      tokens.set(buf.subarray(o + 4, o + 4 + seqLen), k * seqLen);
      o += 4 + seqLen;
    }
    return { kind: 'tokens', seqLen, count, indices, tokens };
  }
  if (magic === CLASSIFICATION_MAGIC) {
    const count = buf.readUInt32LE(o);
    const dim = buf.readUInt32LE(o + 4);
    const numClasses = buf.readUInt32LE(o + 8);
    o += 12;
    expectLength(buf, o + count * (8 + 4 * dim));
    const indices = new Uint32Array(count);
    const labels = new Uint32Array(count);
    const features = new Float32Array(count * dim);
    for (let k = 0; k < count; k += 1) {
      indices[k] = buf.readUInt32LE(o);
      labels[k] = buf.readUInt32LE(o + 4);
      o += 8;
      for (let j = 0; j < dim; j += 1, o += 4) features[k * dim + j] = buf.readFloatLE(o);
    }
    return { kind: 'classification', dim, numClasses, count, indices, labels, features };
  }
  if (magic === IMAGES_MAGIC) return parseImageSplit(buf, o);
  if (magic === PROMPTS_MAGIC) return parsePromptSplit(buf, o);
  throw new Error('not a canonical test split (unknown header)');
}

function expectLength(buf: Buffer, expected: number): void {
  if (buf.length !== expected) throw new Error(`canonical test split has ${buf.length} bytes, expected ${expected}`);
}

export interface SplitCommitments {
  seedCommitment: string;
  testSetCommitment: string;
}

export function commitmentsFor(split: DatasetSplit, seed: string): SplitCommitments {
  return { seedCommitment: seedCommitment(seed), testSetCommitment: sha256Hex(canonicalTestSplit(split)) };
}

export interface RevealCheck {
  seedMatches: boolean;
  testSetMatches: boolean;
  ok: boolean;
  /** Re-derived values, for the report. */
  derived: SplitCommitments;
}

/**
 * An auditor's check of a reveal: re-derive the split from the dataset and the revealed seed and
 * compare both hashes with what was published at task creation.
 */
export function verifyReveal(dataset: LoadedDataset, revealedSeed: string, published: SplitCommitments): RevealCheck {
  const derived = commitmentsFor(splitDataset(dataset, revealedSeed), revealedSeed);
  const seedMatches = derived.seedCommitment === published.seedCommitment.toLowerCase();
  const testSetMatches = derived.testSetCommitment === published.testSetCommitment.toLowerCase();
  return { seedMatches, testSetMatches, ok: seedMatches && testSetMatches, derived };
}
