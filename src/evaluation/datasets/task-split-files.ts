import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeImageTrainSplit } from './image-split';
import { writePromptTrainSplit } from './prompts-split';
import type { DatasetSplit } from './split';

/**
 * Writes the training split into a directory that is mounted read-only into the sandbox as
 * /data/train. Only training data ever goes here; the hidden test split lives elsewhere.
 *
 * causal-lm:       tokens.bin (u8 byte tokens: whole training windows of seqLen, shuffled) + meta.json
 *                  {"vocabSize":256,"seqLen":N,"format":"bytes-u8","order":"shuffled-windows"}
 * image:           images.f32 + labels.u8 + meta.json (see image-split.ts writeImageTrainSplit)
 * instruct, preference, reward: examples.jsonl + meta.json, base model in ../base (prompts-split.ts)
 * classification:  features.f32 (f32 little-endian, row-major [count, dim]) + labels.u8 (one byte per
 *                  example) + meta.json {"format":"features-f32","count":n,"dim":d,"numClasses":c}
 */
export async function writeTrainSplit(split: DatasetSplit, trainDir: string): Promise<Record<string, unknown>> {
  await fs.promises.rm(trainDir, { recursive: true, force: true });
  await fs.promises.mkdir(trainDir, { recursive: true, mode: 0o755 });
  let meta: Record<string, unknown>;
  if (split.kind === 'tokens') {
    await fs.promises.writeFile(path.join(trainDir, 'tokens.bin'), split.train, { mode: 0o644 });
    // Whole windows of seqLen tokens in a shuffled order: text runs on only inside a window.
    meta = { vocabSize: 256, seqLen: split.seqLen, format: 'bytes-u8', order: 'shuffled-windows' };
  } else if (split.kind === 'images') {
    meta = await writeImageTrainSplit(split, trainDir);
  } else if (split.kind === 'prompts') {
    meta = await writePromptTrainSplit(split, trainDir);
  } else {
    const features = Buffer.alloc(split.train.length * split.dim * 4);
    const labels = Buffer.alloc(split.train.length);
    split.train.forEach((ex, i) => {
      ex.features.forEach((f, j) => features.writeFloatLE(f, (i * split.dim + j) * 4));
      labels[i] = ex.label;
    });
    await fs.promises.writeFile(path.join(trainDir, 'features.f32'), features, { mode: 0o644 });
    await fs.promises.writeFile(path.join(trainDir, 'labels.u8'), labels, { mode: 0o644 });
    meta = { format: 'features-f32', count: split.train.length, dim: split.dim, numClasses: split.numClasses };
  }
  await fs.promises.writeFile(path.join(trainDir, 'meta.json'), `${JSON.stringify(meta)}\n`, { mode: 0o644 });
  return meta;
}
