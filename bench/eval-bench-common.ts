/**
 * What the eval-throughput benches share: Crucible's evaluator end to end (model checks, a
 * pre-started worker process, session, scoring) against a bare onnxruntime loop over the same model,
 * data and batches, alternating in the same run, best of each; and the lines they print.
 * The bench files hold only their data, their bare loop and their own figures.
 *
 * The bare loop runs in this long-lived process, where every pass after the first reuses memory the
 * earlier ones touched. Crucible opens each untrusted model in a process of its own, so each of its
 * evaluations is a first pass. The same bare loop is also timed in a fresh process (this bench's file
 * run again with CRUCIBLE_BENCH_FRESH_BARE naming the model file; the data is built before the clock
 * starts), and printed as a second baseline beside the first, never instead of it; and once more with
 * the worker's malloc settings (WORKER_MALLOC_ENV), so the runtime is also compared on equal terms.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { canonicalTestSplit, type DatasetSplit, sha256Hex } from '../src/evaluation/datasets/split';
import { DEFAULT_BATCH_UNITS, ModelScorer } from '../src/evaluation/model-scorer';
import { WORKER_MALLOC_ENV } from '../src/evaluation/worker/worker-process';
import type { ModelScore, TaskType } from '../src/evaluation/task-data';
import type { TaskTypeParams } from '../src/scoring/rulebook';

export const THREADS = os.availableParallelism();

export interface EvalBench {
  /** Prefix of the bench's temporary directory. */
  name: string;
  taskType: TaskType;
  rounds: number;
  /** The hidden split Crucible evaluates on (written out as its canonical test split). */
  split: DatasetSplit;
  /** The model file's bytes. */
  model: Uint8Array;
  maxModelBytes: number;
  /** The task's constants (rulebook `taskTypes.<type>`), as a real task passes them. */
  params?: TaskTypeParams;
  /** The baseline on an open session: the same batches as the evaluator, nothing else. */
  bareLoop(session: ort.InferenceSession): Promise<void>;
}

export interface EvalBenchResult {
  crucibleMs: number;
  bareMs: number;
  bareWithSessionMs: number;
  /** The bare loop (and session creation + loop) as the first pass of a fresh process, best of `rounds`. */
  freshBareMs: number;
  freshBareWithSessionMs: number;
  /** The same, with the worker's malloc settings (WORKER_MALLOC_ENV) in the fresh process too. */
  freshBareSameMallocMs: number;
  /** The last round's score. */
  score: ModelScore;
  modelBytes: number;
}

/** Runs the bench's rounds: Crucible, then the bare loop, each round; returns the best time of each. */
export async function runEvalBench(bench: EvalBench): Promise<EvalBenchResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `crucible-bench-${bench.name}-`));
  try {
    const canonical = canonicalTestSplit(bench.split);
    const testSplitPath = path.join(work, 'test-split.bin');
    fs.writeFileSync(testSplitPath, canonical);
    fs.mkdirSync(path.join(work, 'artifact'));
    const modelPath = path.join(work, 'artifact', 'model.onnx');
    fs.writeFileSync(modelPath, bench.model);

    const scorer = new ModelScorer({ provider: 'cpu', timeoutMs: 600_000, memoryMb: 4096, maxModelBytes: bench.maxModelBytes, intraOpThreads: THREADS, batchUnits: DEFAULT_BATCH_UNITS });
    const crucibleMs: number[] = [];
    const bareMs: number[] = [];
    const bareWithSessionMs: number[] = [];
    let score: ModelScore | null = null;
    try {
      for (let round = 0; round < bench.rounds; round += 1) {
        // As in a running service, where the next worker process starts when an evaluation ends:
        // wait for it here so it competes with neither side's timing. From the second round it has
        // read the split of the evaluation before it, as a service's next worker has while a task's
        // entries are evaluated in turn; the first round's has not.
        await scorer.warm();
        const t0 = performance.now();
        const result = await scorer.score({ taskType: bench.taskType, modelPath, testSplitPath, testSetSha256: sha256Hex(canonical), seed: 'bench-seed', params: bench.params, lossesDir: work });
        crucibleMs.push(performance.now() - t0);
        if (!result.ok) throw new Error(`${result.code}: ${result.reason}`);
        score = result.score;
        await scorer.warm();
        const created = performance.now();
        const session = await bareSession(modelPath);
        const started = performance.now();
        await bench.bareLoop(session);
        const ended = performance.now();
        await session.release();
        bareMs.push(ended - started);
        bareWithSessionMs.push(ended - created);
      }
    } finally {
      scorer.close();
    }
    const fresh = Array.from({ length: bench.rounds }, () => freshBarePass(modelPath, {}));
    const freshSameMalloc = Array.from({ length: bench.rounds }, () => freshBarePass(modelPath, WORKER_MALLOC_ENV));
    return {
      crucibleMs: Math.min(...crucibleMs),
      bareMs: Math.min(...bareMs),
      bareWithSessionMs: Math.min(...bareWithSessionMs),
      freshBareMs: Math.min(...fresh.map((f) => f.loopMs)),
      freshBareWithSessionMs: Math.min(...fresh.map((f) => f.withSessionMs)),
      freshBareSameMallocMs: Math.min(...freshSameMalloc.map((f) => f.loopMs)),
      score: score as ModelScore,
      modelBytes: bench.model.length,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The bare loop's session: onnxruntime's defaults on the CPU, as many threads as the evaluator. */
function bareSession(modelPath: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: THREADS, graphOptimizationLevel: 'all' });
}

const FRESH_BARE_ENV = 'CRUCIBLE_BENCH_FRESH_BARE';

/** Runs this bench's file again in a new process that times one bare pass over `modelPath` (see freshBareMain). */
function freshBarePass(modelPath: string, env: Readonly<Record<string, string>>): { loopMs: number; withSessionMs: number } {
  const script = require.main?.filename;
  if (!script) throw new Error('the fresh-process baseline needs the bench run as a script');
  const out = execFileSync(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], { env: { ...process.env, ...env, [FRESH_BARE_ENV]: modelPath }, encoding: 'utf8', maxBuffer: 1024 * 1024 });
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { loopMs: number; withSessionMs: number };
}

/** In the fresh process: builds the bench's data, then times session creation and one bare pass, and prints them as JSON. */
async function freshBareMain(build: () => Promise<EvalBench>, modelPath: string): Promise<void> {
  const bench = await build();
  const created = performance.now();
  const session = await bareSession(modelPath);
  const started = performance.now();
  await bench.bareLoop(session);
  const ended = performance.now();
  console.log(JSON.stringify({ loopMs: ended - started, withSessionMs: ended - created }));
}

/** The lines every eval bench prints; `units` names what its throughput counts (tokens, images). */
export function printEvalBench(result: EvalBenchResult, rounds: number, units: { name: string; count: number }, crucibleWhat: string, bareWhat: string): void {
  const perSecond = (ms: number): string => (units.count / (ms / 1000)).toFixed(0);
  console.log(`provider: cpu, intra_op_threads: ${THREADS}`);
  console.log(`load_average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`rounds: ${rounds} (best of each)`);
  console.log(`crucible_ms: ${result.crucibleMs.toFixed(1)} (end to end: ${crucibleWhat})`);
  console.log(`bare_loop_ms: ${result.bareMs.toFixed(1)} (${bareWhat} only)`);
  console.log(`bare_loop_with_session_ms: ${result.bareWithSessionMs.toFixed(1)} (session creation + ${bareWhat})`);
  console.log(`crucible_${units.name}_per_s: ${perSecond(result.crucibleMs)}`);
  console.log(`bare_${units.name}_per_s: ${perSecond(result.bareMs)}`);
  console.log(`${result.score.metricName}: ${result.score.metricValue}`);
  console.log(`direction: crucible ${units.name}/s divided by bare onnxruntime ${units.name}/s; higher is better, target >= 0.9`);
  console.log(`ratio: ${(result.bareMs / result.crucibleMs).toFixed(3)}`);
  console.log(`ratio_with_bare_session_creation: ${(result.bareWithSessionMs / result.crucibleMs).toFixed(3)}`);
  console.log(`fresh_process_bare_loop_ms: ${result.freshBareMs.toFixed(1)} (the same ${bareWhat} as the first pass of a new process; with session creation ${result.freshBareWithSessionMs.toFixed(1)})`);
  console.log(`ratio_against_fresh_process_bare_loop: ${(result.freshBareMs / result.crucibleMs).toFixed(3)} (Crucible opens each model in a new process: every evaluation is a first pass)`);
  console.log(`fresh_process_bare_loop_same_malloc_ms: ${result.freshBareSameMallocMs.toFixed(1)} (that first pass with the worker's malloc settings, ${Object.entries(WORKER_MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')})`);
  console.log(`ratio_against_fresh_process_bare_loop_same_malloc: ${(result.freshBareSameMallocMs / result.crucibleMs).toFixed(3)} (the runtime on equal terms: a new process, the same allocator settings)`);
}

/**
 * Runs a bench's main when its file is run directly (npm run bench -- <name>); in the fresh process
 * that the fresh-process baseline starts, builds the bench and times its bare loop instead.
 */
export function runMain(module: NodeJS.Module, main: () => Promise<void>, build: () => Promise<EvalBench>): void {
  if (require.main !== module) return;
  const freshModel = process.env[FRESH_BARE_ENV];
  (freshModel ? freshBareMain(build, freshModel) : main()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
