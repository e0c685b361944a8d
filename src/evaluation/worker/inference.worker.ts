/**
 * Entry point of the inference worker process (started ahead of its job by WorkerPool). It loads
 * onnxruntime, says `started`, then runs one job: static model checks, session creation, scoring;
 * then exits. Untrusted models are only ever opened here, under the memory and time limits the
 * parent enforces.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type * as ortTypes from 'onnxruntime-node';
import { parseCanonicalTestSplit } from '../datasets/split';
import { EvaluationErrorCode as Code, ModelRejectedError, NonCausalModelError, OutputContractError } from '../evaluation.errors';
import { checkModelFile } from '../model-checks';
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

async function run(job: InferenceJob, ort: typeof ortTypes): Promise<WorkerResponse> {
  const evaluator = evaluatorFor(job.taskType);
  if (!evaluator) return failure(Code.UnsupportedTaskType, `unsupported task type ${job.taskType}`, 'setup');

  const splitBytes = fs.readFileSync(job.testSplitPath);
  const digest = createHash('sha256').update(splitBytes).digest('hex');
  if (digest !== job.testSetSha256) return failure(Code.TestSplitTampered, 'the hidden test split does not match its commitment', 'setup');
  const split = parseCanonicalTestSplit(splitBytes);

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
  // So is onnxruntime's own start-up and the evaluators' helper sessions: done before a job waits on them.
  await warmEvaluators(ort);
  process.once('message', (request: WorkerRequest) => {
    run(request.job, ort)
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
