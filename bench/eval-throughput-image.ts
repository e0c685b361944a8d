/**
 * Evaluation throughput of the `image` evaluator: Crucible's evaluator (checks + pre-started worker
 * process + denoising loss, end to end) against a bare onnxruntime session loop over the same model
 * (the image base model, base-models/shapes-denoiser-v1), the same noisy inputs and batches, measured
 * in the same run. Run: npm run bench -- eval-throughput-image
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { builtinDatasets, loadDataset } from '../src/evaluation/datasets/dataset-registry';
import type { ImageSplit } from '../src/evaluation/datasets/image-split';
import { canonicalTestSplit, sha256Hex, splitDataset } from '../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS, ModelScorer } from '../src/evaluation/model-scorer';

const ROUNDS = 5;
const IMAGES = 8192;
const MODEL = path.join(__dirname, '..', 'base-models', 'shapes-denoiser-v1', 'model.onnx');

/** The baseline: one session, the same batches of noisy images and timesteps, nothing else. */
async function bareLoop(modelPath: string, split: ImageSplit, threads: number): Promise<{ runMs: number; sessionMs: number }> {
  const created = performance.now();
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const sessionMs = performance.now() - created;
  const p = split.channels * split.size * split.size;
  const batch = Math.max(1, Math.floor(DEFAULT_BATCH_UNITS / p));
  const started = performance.now();
  for (let start = 0; start < split.test.length; start += batch) {
    const examples = split.test.slice(start, start + batch);
    const noisy = new Float32Array(examples.length * p);
    examples.forEach((ex, b) => noisy.set(ex.noisy, b * p));
    const timestep = BigInt64Array.from(examples, (ex) => BigInt(ex.timestep));
    await session.run({ noisy: new ort.Tensor('float32', noisy, [examples.length, split.channels, split.size, split.size]), timestep: new ort.Tensor('int64', timestep, [examples.length]) });
  }
  const runMs = performance.now() - started;
  await session.release();
  return { runMs, sessionMs };
}

export async function main(): Promise<void> {
  const threads = os.availableParallelism();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-eval-image-'));
  try {
    const shapes = builtinDatasets().find((d) => d.id === 'shapes-16-v1');
    if (!shapes || shapes.kind !== 'generated-images') throw new Error('shapes-16-v1 is not a generated image dataset');
    // A larger hidden split than a real task (90% of 8192 images) so the figure is about inference.
    const dataset = await loadDataset({ ...shapes, count: IMAGES, testFraction: 0.9 }, 'bench-seed');
    const split = splitDataset(dataset, 'bench-seed') as ImageSplit;
    const canonical = canonicalTestSplit(split);
    const testSplitPath = path.join(work, 'test-split.bin');
    fs.writeFileSync(testSplitPath, canonical);
    const artifactDir = path.join(work, 'artifact');
    fs.mkdirSync(artifactDir);
    const modelPath = path.join(artifactDir, 'model.onnx');
    fs.copyFileSync(MODEL, modelPath);

    const scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 600_000, memoryMb: 4096, maxModelBytes: 64 * 1024 * 1024, intraOpThreads: threads, batchUnits: DEFAULT_BATCH_UNITS });
    const crucibleMs: number[] = [];
    const bareMs: number[] = [];
    const bareWithSessionMs: number[] = [];
    let metric = Number.NaN;
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        // As in a running service, the next worker process is started before the evaluation comes.
        await scorer.warm();
        const t0 = performance.now();
        const result = await scorer.score({ taskType: 'image', modelPath, testSplitPath, testSetSha256: sha256Hex(canonical), seed: 'bench-seed', lossesDir: work });
        crucibleMs.push(performance.now() - t0);
        if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
        metric = result.score.metricValue;
        await scorer.warm();
        const bare = await bareLoop(modelPath, split, threads);
        bareMs.push(bare.runMs);
        bareWithSessionMs.push(bare.sessionMs + bare.runMs);
      }
    } finally {
      scorer.close();
    }
    const best = (xs: number[]): number => Math.min(...xs);
    const images = split.test.length;
    const crucibleIps = images / (best(crucibleMs) / 1000);
    const bareIps = images / (best(bareMs) / 1000);
    const bareWithSessionIps = images / (best(bareWithSessionMs) / 1000);
    console.log(`model: base-models/shapes-denoiser-v1 (${fs.statSync(modelPath).size} bytes), images 1x${split.size}x${split.size}`);
    console.log(`provider: cpu, intra_op_threads: ${threads}`);
    console.log(`load_average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`test_images: ${images}`);
    console.log(`rounds: ${ROUNDS} (best of each)`);
    console.log(`crucible_ms: ${best(crucibleMs).toFixed(1)} (end to end: pre-started worker, checks, session, inference, losses)`);
    console.log(`bare_loop_ms: ${best(bareMs).toFixed(1)} (session.run loop only)`);
    console.log(`bare_loop_with_session_ms: ${best(bareWithSessionMs).toFixed(1)} (session creation + session.run loop)`);
    console.log(`crucible_images_per_s: ${crucibleIps.toFixed(0)}`);
    console.log(`bare_images_per_s: ${bareIps.toFixed(0)}`);
    console.log(`denoising_mse: ${metric}`);
    console.log('direction: crucible images/s divided by bare onnxruntime images/s; higher is better, target >= 0.9');
    console.log(`ratio: ${(crucibleIps / bareIps).toFixed(3)}`);
    console.log(`ratio_with_bare_session_creation: ${(crucibleIps / bareWithSessionIps).toFixed(3)}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
