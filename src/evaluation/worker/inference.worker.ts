/**
 * Entry point of the inference worker process (started ahead of its job by WorkerPool). It loads
 * onnxruntime (and the hidden test split named in its arguments, if any), says `started`, then runs
 * one job: static model checks, session creation, scoring; then exits. Untrusted models are only
 * ever opened here, under the memory and time limits the parent enforces.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as ortTypes from 'onnxruntime-node';
import { parseCanonicalTestSplit, type TestSplit } from '../datasets/split';
import { EvaluationErrorCode as Code, ModelRejectedError, NonCausalModelError, OutputContractError } from '../evaluation.errors';
import { checkModelFile, warmModelChecks } from '../model-checks';
import { evaluatorFor, warmEvaluators } from '../task-types';
import type { InferenceJob, WorkerRequest, WorkerResponse } from './worker-protocol';
import type { RejectionEvidence } from '../task-data';

const REASON_MAX = 600;

function send(message: WorkerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

function failure(code: Code, reason: string, stage: 'checks' | 'load' | 'inference' | 'setup', evidence?: RejectionEvidence): WorkerResponse {
  return { type: 'failure', code, reason: reason.slice(0, REASON_MAX), stage, ...(evidence ? { evidence } : {}) };
}

function looksLikeOutOfMemory(message: string): boolean {
  return /bad_alloc|bad allocation|Failed to allocate|out of memory|Cannot allocate memory/i.test(message);
}

/** A hidden test split read, checked against its commitment and parsed before the job came. */
interface PreloadedSplit {
  path: string;
  sha256: string;
  split: TestSplit;
}

/** The split file parsed, or null when its bytes do not match the commitment. */
function readSplit(file: string, sha256: string): TestSplit | null {
  const bytes = fs.readFileSync(file);
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) return null;
  return parseCanonicalTestSplit(bytes);
}

/**
 * The split the parent expects the next job to use (Crucible's own data, passed as arguments),
 * loaded while this worker waits. Null when none is named or it cannot be loaded: the job then
 * reads its split itself and reports any problem with it.
 */
function preloadSplit(args: string[]): PreloadedSplit | null {
  const [file, sha256] = args;
  if (!file || !sha256) return null;
  try {
    const split = readSplit(file, sha256);
    return split ? { path: file, sha256, split } : null;
  } catch {
    return null;
  }
}

async function run(job: InferenceJob, ort: typeof ortTypes, preloaded: TestSplit | null): Promise<WorkerResponse> {
  const evaluator = evaluatorFor(job.taskType);
  if (!evaluator) return failure(Code.UnsupportedTaskType, `unsupported task type ${job.taskType}`, 'setup');

  const split = preloaded ?? readSplit(job.testSplitPath, job.testSetSha256);
  if (!split) return failure(Code.TestSplitTampered, 'the hidden test split does not match its commitment', 'setup');

  if (!job.trusted) {
    try {
      await checkModelFile(job.modelPath, job.artifactDir, evaluator.contract(split), job.limits);
    } catch (error) {
      if (error instanceof ModelRejectedError) return failure(error.code, error.message, 'checks');
      throw error;
    }
  }

  let session: ortTypes.InferenceSession;
  try {
    session = await ort.InferenceSession.create(job.modelPath, {
      executionProviders: job.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
      intraOpNumThreads: job.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    });
  } catch (error) {
    const message = (error as Error).message;
    return failure(looksLikeOutOfMemory(message) ? Code.MemoryLimit : Code.ModelLoadFailed, `onnxruntime could not load the model: ${message}`, 'load');
  }

  const started = performance.now();
  try {
    const totals = await evaluator.evaluate(ort, session, split, { batchUnits: job.batchUnits, causalitySeed: job.causalitySeed, causalityMethod: job.causalityMethod, params: job.params });
    return {
      type: 'result',
      losses: totals.losses,
      correct: totals.correct,
      scoredUnits: totals.scoredUnits,
      causality: totals.causality,
      provider: job.provider,
      inferenceMs: performance.now() - started,
    };
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof NonCausalModelError) return failure(Code.NonCausal, message, 'inference', { ...error.violation });
    if (error instanceof OutputContractError) return failure(Code.OutputInvalid, message, 'inference');
    return failure(looksLikeOutOfMemory(message) ? Code.MemoryLimit : Code.InferenceFailed, `inference failed: ${message}`, 'inference');
  }
  // No session.release(): the process ends as soon as its answer is sent (the parent stops it then).
}

async function main(): Promise<void> {
  // A worker waiting for its job goes when the service does.
  process.once('disconnect', () => process.exit(0));
  // Loading the runtime is the worker's own set-up: a failure here is the evaluator's fault.
  const ort = (await import('onnxruntime-node')) as typeof ortTypes;
  // So are onnxruntime's own start-up, the evaluators' helper sessions and compiling the model
  // checks: done before a job waits on them.
  await warmEvaluators(ort);
  warmModelChecks();
  let preloaded = preloadSplit(process.argv.slice(2));
  // The preloaded split serves only a job on that very file and commitment; any other job's
  // split is read as usual, and the preloaded one is let go either way.
  const preloadedFor = (job: InferenceJob): TestSplit | null => {
    const p = preloaded;
    preloaded = null;
    return p && p.path === job.testSplitPath && p.sha256 === job.testSetSha256 ? p.split : null;
  };
  process.once('message', (request: WorkerRequest) => {
    run(request.job, ort, preloadedFor(request.job))
      .catch((error: unknown) => failure(Code.EvaluatorFailed, `evaluator error: ${(error as Error).message}`, 'setup'))
      .then(send)
      .finally(() => process.exit(0));
  });
  await send({ type: 'started', pid: process.pid });
}

void main().catch((error: unknown) => {
  process.stderr.write(`inference worker failed to start: ${(error as Error).stack}\n`);
  process.exit(70);
});
