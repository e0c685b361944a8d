/**
 * Evaluation throughput of the `image` evaluator: Crucible's evaluator (checks + pre-started worker
 * process + denoising loss, end to end) against a bare onnxruntime session loop over the same model
 * (the image base model, base-models/shapes-denoiser-v1), the same noisy inputs and batches,
 * measured in the same run (eval-bench-common.ts). Run: npm run bench -- eval-throughput-image
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { builtinDatasets, loadDataset } from '../src/evaluation/datasets/dataset-registry';
import type { ImageSplit } from '../src/evaluation/datasets/image-split';
import { splitDataset } from '../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS } from '../src/evaluation/model-scorer';
import { type EvalBench, printEvalBench, runEvalBench, runMain } from './eval-bench-common';

const ROUNDS = 5;
const IMAGES = 8192;
const MODEL = path.join(__dirname, '..', 'base-models', 'shapes-denoiser-v1', 'model.onnx');

/** The baseline: the same batches of noisy images and timesteps, nothing else. */
async function bareLoop(session: ort.InferenceSession, split: ImageSplit): Promise<void> {
  const p = split.channels * split.size * split.size;
  const batch = Math.max(1, Math.floor(DEFAULT_BATCH_UNITS / p));
  for (let start = 0; start < split.test.length; start += batch) {
    const examples = split.test.slice(start, start + batch);
    const noisy = new Float32Array(examples.length * p);
    examples.forEach((ex, b) => noisy.set(ex.noisy, b * p));
    const timestep = BigInt64Array.from(examples, (ex) => BigInt(ex.timestep));
    await session.run({ noisy: new ort.Tensor('float32', noisy, [examples.length, split.channels, split.size, split.size]), timestep: new ort.Tensor('int64', timestep, [examples.length]) });
  }
}

export async function build(): Promise<EvalBench> {
  const shapes = builtinDatasets().find((d) => d.id === 'shapes-16-v1');
  if (!shapes || shapes.kind !== 'generated-images') throw new Error('shapes-16-v1 is not a generated image dataset');
  // A larger hidden split than a real task (90% of 8192 images) so the figure is about inference.
  const dataset = await loadDataset({ ...shapes, count: IMAGES, testFraction: 0.9 }, 'bench-seed');
  const split = splitDataset(dataset, 'bench-seed') as ImageSplit;
  return { name: 'eval-image', taskType: 'image', rounds: ROUNDS, split, model: fs.readFileSync(MODEL), maxModelBytes: 64 * 1024 * 1024, bareLoop: (s) => bareLoop(s, split) };
}

export async function main(): Promise<void> {
  const bench = await build();
  const split = bench.split as ImageSplit;
  const result = await runEvalBench(bench);
  console.log(`model: base-models/shapes-denoiser-v1 (${result.modelBytes} bytes), images 1x${split.size}x${split.size}`);
  console.log(`test_images: ${split.test.length}`);
  printEvalBench(result, ROUNDS, { name: 'images', count: split.test.length }, 'pre-started worker, checks, session, inference, losses', 'session.run loop');
}

runMain(module, main, build);
