/**
 * Evaluation throughput: Crucible's evaluator (checks + worker process + scoring, end to end) against
 * a bare onnxruntime session loop over the same model, batches and data, measured in the same run.
 * Run: npm run bench -- eval-throughput  (or node -r ts-node/register/transpile-only bench/eval-throughput.ts)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { DatasetRegistry } from '../src/evaluation/datasets/dataset-registry';
import { canonicalTestSplit, sha256Hex, splitDataset, type TokenSplit } from '../src/evaluation/datasets/split';
import { chooseExecutionProvider } from '../src/evaluation/execution-provider';
import { DEFAULT_BATCH_UNITS, ModelScorer } from '../src/evaluation/model-scorer';
import { buildModel, DataType, encodeModel, floatAttr, floatTensor, intAttr, intsAttr, node, valueInfo } from '../src/evaluation/onnx/onnx-builder';

const VOCAB = 256;
const SEQ = 128;
const WIDTH = Number(process.argv[2] ?? 256);
const LAYERS = 2;
const ROUNDS = 5;

/** A small decoder-only transformer (one head, causal mask, MLP) with seeded random weights. */
export function transformerModel(width: number, layers: number): Uint8Array {
  let state = 12345;
  const rand = (n: number, scale: number): Float32Array =>
    Float32Array.from({ length: n }, () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return ((state / 2 ** 32) * 2 - 1) * scale;
    });
  const mask = new Float32Array(SEQ * SEQ);
  for (let i = 0; i < SEQ; i += 1) for (let j = i + 1; j < SEQ; j += 1) mask[i * SEQ + j] = -1e9;
  const nodes = [node('Gather', ['emb', 'input_ids'], ['x0'], [intAttr('axis', 0)])];
  const inits = [floatTensor('emb', [VOCAB, width], rand(VOCAB * width, 0.5)), floatTensor('mask', [SEQ, SEQ], mask)];
  let x = 'x0';
  for (let l = 0; l < layers; l += 1) {
    const p = (s: string): string => `l${l}_${s}`;
    for (const w of ['wq', 'wk', 'wv', 'wo']) inits.push(floatTensor(p(w), [width, width], rand(width * width, 1 / Math.sqrt(width))));
    inits.push(floatTensor(p('w1'), [width, 4 * width], rand(4 * width * width, 1 / Math.sqrt(width))));
    inits.push(floatTensor(p('w2'), [4 * width, width], rand(4 * width * width, 1 / Math.sqrt(4 * width))));
    nodes.push(
      node('LayerNormalization', [x, 'ln_scale', 'ln_bias'], [p('n1')], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)]),
      node('MatMul', [p('n1'), p('wq')], [p('q')]),
      node('MatMul', [p('n1'), p('wk')], [p('k')]),
      node('MatMul', [p('n1'), p('wv')], [p('v')]),
      node('Transpose', [p('k')], [p('kt')], [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', [p('q'), p('kt')], [p('s0')]),
      node('Mul', [p('s0'), 'scale'], [p('s1')]),
      node('Add', [p('s1'), 'mask'], [p('s2')]),
      node('Softmax', [p('s2')], [p('a')], [intAttr('axis', -1)]),
      node('MatMul', [p('a'), p('v')], [p('c')]),
      node('MatMul', [p('c'), p('wo')], [p('o')]),
      node('Add', [x, p('o')], [p('r1')]),
      node('LayerNormalization', [p('r1'), 'ln_scale', 'ln_bias'], [p('n2')], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)]),
      node('MatMul', [p('n2'), p('w1')], [p('h0')]),
      node('Relu', [p('h0')], [p('h1')]),
      node('MatMul', [p('h1'), p('w2')], [p('m')]),
      node('Add', [p('r1'), p('m')], [p('out')]),
    );
    x = p('out');
  }
  inits.push(
    floatTensor('ln_scale', [width], new Float32Array(width).fill(1)),
    floatTensor('ln_bias', [width], new Float32Array(width)),
    floatTensor('scale', [1], [1 / Math.sqrt(width)]),
    floatTensor('unembed', [width, VOCAB], rand(width * VOCAB, 1 / Math.sqrt(width))),
  );
  nodes.push(node('MatMul', [x, 'unembed'], ['logits']));
  return encodeModel(
    buildModel({
      name: 'bench_transformer',
      nodes,
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', SEQ])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', SEQ, VOCAB])],
      initializers: inits,
    }),
  );
}

/** The baseline: one session, the same batches, nothing else. */
async function bareLoop(modelPath: string, split: TokenSplit, threads: number): Promise<number> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const batch = Math.max(1, Math.floor(DEFAULT_BATCH_UNITS / SEQ));
  const started = performance.now();
  for (let start = 0; start < split.test.length; start += batch) {
    const seqs = split.test.slice(start, start + batch);
    const ids = new BigInt64Array(seqs.length * SEQ);
    seqs.forEach((seq, b) => seq.forEach((tok, t) => (ids[b * SEQ + t] = BigInt(tok))));
    await session.run({ input_ids: new ort.Tensor('int64', ids, [seqs.length, SEQ]) });
  }
  const ms = performance.now() - started;
  await session.release();
  return ms;
}

export async function main(): Promise<void> {
  const threads = os.availableParallelism();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bench-eval-'));
  try {
    const dataset = await new DatasetRegistry().load('devils-dictionary');
    // A larger hidden split than a real task (half the corpus) so the figure is about inference.
    const split = splitDataset({ ...dataset, testFraction: 0.5 }, 'bench-seed') as TokenSplit;
    const canonical = canonicalTestSplit(split);
    const testSplitPath = path.join(work, 'test-split.bin');
    fs.writeFileSync(testSplitPath, canonical);
    const artifactDir = path.join(work, 'artifact');
    fs.mkdirSync(artifactDir);
    const modelPath = path.join(artifactDir, 'model.onnx');
    fs.writeFileSync(modelPath, transformerModel(WIDTH, LAYERS));

    const decision = chooseExecutionProvider('cpu');
    const scorer = new ModelScorer({ provider: decision.provider, timeoutMs: 600_000, memoryMb: 4096, maxModelBytes: 512 * 1024 * 1024, intraOpThreads: threads, batchUnits: DEFAULT_BATCH_UNITS });
    const tokens = split.test.length * SEQ;
    const crucibleMs: number[] = [];
    const bareMs: number[] = [];
    let metric = Number.NaN;
    for (let round = 0; round < ROUNDS; round += 1) {
      const t0 = performance.now();
      const result = await scorer.score({ taskType: 'causal-lm', modelPath, testSplitPath, testSetSha256: sha256Hex(canonical), lossesDir: work });
      crucibleMs.push(performance.now() - t0);
      if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
      metric = result.score.metricValue;
      bareMs.push(await bareLoop(modelPath, split, threads));
    }
    const best = (xs: number[]): number => Math.min(...xs);
    const crucibleTps = tokens / (best(crucibleMs) / 1000);
    const bareTps = tokens / (best(bareMs) / 1000);
    console.log(`model: transformer width=${WIDTH} layers=${LAYERS} seq=${SEQ} vocab=${VOCAB} (${fs.statSync(modelPath).size} bytes)`);
    console.log(`provider: cpu, intra_op_threads: ${threads}`);
    console.log(`test_sequences: ${split.test.length}`);
    console.log(`tokens: ${tokens}`);
    console.log(`rounds: ${ROUNDS} (best of each)`);
    console.log(`crucible_ms: ${best(crucibleMs).toFixed(1)} (end to end: worker start, checks, session, inference, losses)`);
    console.log(`bare_loop_ms: ${best(bareMs).toFixed(1)} (session.run loop only)`);
    console.log(`crucible_tokens_per_s: ${crucibleTps.toFixed(0)}`);
    console.log(`bare_tokens_per_s: ${bareTps.toFixed(0)}`);
    console.log(`cross_entropy_nats: ${metric}`);
    console.log('direction: crucible tokens/s divided by bare onnxruntime tokens/s; higher is better, target >= 0.9');
    console.log(`ratio: ${(crucibleTps / bareTps).toFixed(3)}`);
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
