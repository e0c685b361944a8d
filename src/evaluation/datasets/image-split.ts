import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type LoadedBaseModel, writeBaseModelFiles } from '../base-models';
import { drawTestNoise, type DrawnNoise, type NoiseSchedule } from './shapes-generator';

/**
 * The `image` (denoising) task's split: clean images for training; for every test image, a timestep
 * and noise drawn from the task seed (shapes-generator.ts drawTestNoise), so every model is scored on
 * the same noisy inputs and targets, and the commitment covers them.
 */

export interface ImageDataset {
  kind: 'images';
  id: string;
  channels: 1;
  size: number;
  numClasses: number;
  testFraction: number;
  schedule: NoiseSchedule;
  /** Row-major [count, channels, size, size]. */
  pixels: Float32Array;
  labels: Uint8Array;
  /** The base denoiser the task hands to miners (/task/base). */
  baseModel: LoadedBaseModel;
}

export interface ImageSplit {
  kind: 'images';
  channels: number;
  size: number;
  numClasses: number;
  schedule: NoiseSchedule;
  testIndices: number[];
  /** Per test example (testIndices order): its label, timestep, noise target and noisy input. */
  test: Array<DrawnNoise & { label: number }>;
  /** Clean training images, [count, channels, size, size], and their labels, in dataset order. */
  trainPixels: Float32Array;
  trainLabels: Uint8Array;
  baseModel: LoadedBaseModel;
}

/** The parsed hidden test split as the image evaluator consumes it. */
export interface ImageTestSplit {
  kind: 'images';
  channels: number;
  size: number;
  numClasses: number;
  timesteps: number;
  count: number;
  indices: Uint32Array;
  labels: Uint32Array;
  timestepOf: Uint32Array;
  /** [count, channels, size, size] each. */
  noisy: Float32Array;
  noise: Float32Array;
}

export function splitImages(dataset: ImageDataset, seed: string, testIndices: number[]): ImageSplit {
  const pixelsPer = dataset.channels * dataset.size * dataset.size;
  const image = (i: number) => dataset.pixels.subarray(i * pixelsPer, (i + 1) * pixelsPer);
  const drawn = drawTestNoise(seed, testIndices.map(image), dataset.schedule);
  const isTest = new Set(testIndices);
  const train = Array.from({ length: dataset.labels.length }, (_, i) => i).filter((i) => !isTest.has(i));
  const trainPixels = new Float32Array(train.length * pixelsPer);
  train.forEach((i, k) => trainPixels.set(image(i), k * pixelsPer));
  return {
    kind: 'images',
    channels: dataset.channels,
    size: dataset.size,
    numClasses: dataset.numClasses,
    schedule: dataset.schedule,
    testIndices,
    test: drawn.map((d, k) => ({ ...d, label: dataset.labels[testIndices[k]] })),
    trainPixels,
    trainLabels: Uint8Array.from(train, (i) => dataset.labels[i]),
    baseModel: dataset.baseModel,
  };
}

export const IMAGES_MAGIC = 'CRUCIBLE-TEST-SPLIT/1 images-denoise-f32\n';

/**
 * magic, u32 count, u32 channels, u32 size, u32 numClasses, u32 timesteps, then per test example:
 * u32 index, u32 label, u32 timestep, P x f32 noisy input, P x f32 noise (P = channels * size * size).
 * All little-endian.
 */
export function canonicalImageSplit(split: ImageSplit): Buffer {
  const magic = Buffer.from(IMAGES_MAGIC, 'ascii');
  const p = split.channels * split.size * split.size;
  const out = Buffer.alloc(magic.length + 20 + split.test.length * (12 + 8 * p));
  let o = magic.copy(out, 0);
  for (const v of [split.test.length, split.channels, split.size, split.numClasses, split.schedule.timesteps]) o = out.writeUInt32LE(v, o);
  split.test.forEach((ex, k) => {
    o = out.writeUInt32LE(split.testIndices[k], o);
    o = out.writeUInt32LE(ex.label, o);
    o = out.writeUInt32LE(ex.timestep, o);
    for (const v of ex.noisy) o = out.writeFloatLE(v, o);
    for (const v of ex.noise) o = out.writeFloatLE(v, o);
  });
  return out;
}

/**
 * Copies n little-endian float32 values from `buf` at byte `offset` into `out` from index `at`, as
 * bytes: the same bits as buf.readFloatLE one by one (a 15 MB split parsed that way took about half a
 * second of each evaluation), on the little-endian machines onnxruntime-node runs on.
 */
function copyFloat32LE(buf: Buffer, offset: number, out: Float32Array, at: number, n: number): void {
  if (os.endianness() !== 'LE') {
    for (let j = 0; j < n; j += 1) out[at + j] = buf.readFloatLE(offset + 4 * j);
    return;
  }
  new Uint8Array(out.buffer, out.byteOffset + 4 * at, 4 * n).set(buf.subarray(offset, offset + 4 * n));
}

/** Parses the bytes after the magic line (`o` points just past it). */
export function parseImageSplit(buf: Buffer, start: number): ImageTestSplit {
  let o = start;
  const [count, channels, size, numClasses, timesteps] = [0, 1, 2, 3, 4].map((k) => buf.readUInt32LE(o + 4 * k));
  o += 20;
  const p = channels * size * size;
  if (buf.length !== o + count * (12 + 8 * p)) throw new Error(`canonical test split has ${buf.length} bytes, expected ${o + count * (12 + 8 * p)}`);
  const indices = new Uint32Array(count);
  const labels = new Uint32Array(count);
  const timestepOf = new Uint32Array(count);
  const noisy = new Float32Array(count * p);
  const noise = new Float32Array(count * p);
  for (let k = 0; k < count; k += 1) {
    indices[k] = buf.readUInt32LE(o);
    labels[k] = buf.readUInt32LE(o + 4);
    timestepOf[k] = buf.readUInt32LE(o + 8);
    o += 12;
    copyFloat32LE(buf, o, noisy, k * p, p);
    copyFloat32LE(buf, o + 4 * p, noise, k * p, p);
    o += 8 * p;
  }
  return { kind: 'images', channels, size, numClasses, timesteps, count, indices, labels, timestepOf, noisy, noise };
}

/**
 * /data/train for `image`: images.f32 (float32 little-endian, [count, channels, size, size], pixels
 * in [-1, 1]), labels.u8 and meta.json with the noise schedule the test noise follows; the base
 * denoiser's files beside it in base/ (mounted at /task/base).
 */
export async function writeImageTrainSplit(split: ImageSplit, trainDir: string): Promise<Record<string, unknown>> {
  const pixels = Buffer.from(split.trainPixels.buffer, split.trainPixels.byteOffset, split.trainPixels.byteLength);
  await fs.promises.writeFile(path.join(trainDir, 'images.f32'), pixels, { mode: 0o644 });
  await fs.promises.writeFile(path.join(trainDir, 'labels.u8'), split.trainLabels, { mode: 0o644 });
  await writeBaseModelFiles(split.baseModel, path.join(path.dirname(trainDir), 'base'));
  return {
    format: 'images-f32',
    count: split.trainLabels.length,
    channels: split.channels,
    height: split.size,
    width: split.size,
    numClasses: split.numClasses,
    schedule: { kind: 'linear-beta', ...split.schedule },
    baseModel: { id: split.baseModel.id, sha256: split.baseModel.sha256, path: '/task/base' },
  };
}
