import { DomainError } from '../common/domain-error';
import type { CausalityViolation } from './task-types/causality';

/**
 * Every way an evaluation can end other than with a score. Model rejections and evaluation
 * failures are shown to the miner with their reason; `infra` failures are the evaluator's fault.
 */
export enum EvaluationErrorCode {
  // Static model checks (before any inference).
  ModelMissing = 'MODEL_MISSING',
  ModelTooLarge = 'MODEL_TOO_LARGE',
  ModelNotProtobuf = 'MODEL_NOT_PROTOBUF',
  OpsetUnsupported = 'OPSET_UNSUPPORTED',
  CustomOperatorDomain = 'CUSTOM_OPERATOR_DOMAIN',
  ExternalDataOutsideArtifact = 'EXTERNAL_DATA_OUTSIDE_ARTIFACT',
  IoContractMismatch = 'IO_CONTRACT_MISMATCH',
  DimensionTooLarge = 'DIMENSION_TOO_LARGE',
  // Inference in the worker process.
  ModelLoadFailed = 'MODEL_LOAD_FAILED',
  InferenceFailed = 'INFERENCE_FAILED',
  OutputInvalid = 'OUTPUT_INVALID',
  /** Logits at a position changed when only later tokens changed (task-types/causality.ts). */
  NonCausal = 'NON_CAUSAL',
  /** The miner's repository carries the task's test examples (contamination.ts). */
  Contaminated = 'CONTAMINATED',
  Timeout = 'EVAL_TIMEOUT',
  MemoryLimit = 'EVAL_MEMORY_LIMIT',
  RuntimeCrashed = 'EVAL_RUNTIME_CRASHED',
  // The evaluator's own problems (retried, never charged to the miner).
  WorkerStartFailed = 'EVAL_WORKER_START_FAILED',
  EvaluatorFailed = 'EVALUATOR_FAILED',
  TestSplitTampered = 'TEST_SPLIT_TAMPERED',
  BaselineFailed = 'BASELINE_FAILED',
  // Datasets and tasks.
  UnknownDataset = 'UNKNOWN_DATASET',
  InvalidDataset = 'INVALID_DATASET',
  UnknownBaseModel = 'UNKNOWN_BASE_MODEL',
  UnsupportedTaskType = 'UNSUPPORTED_TASK_TYPE',
}

const EVALUATION_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(EvaluationErrorCode));

/** A code read back from another process (the inference worker's answer) is one of ours. */
export function isEvaluationErrorCode(value: unknown): value is EvaluationErrorCode {
  return typeof value === 'string' && EVALUATION_ERROR_CODES.has(value);
}

/** Codes charged to the miner: the model file or its behaviour is at fault. */
export const MINER_FAULT_CODES: ReadonlySet<EvaluationErrorCode> = new Set([
  EvaluationErrorCode.ModelMissing,
  EvaluationErrorCode.ModelTooLarge,
  EvaluationErrorCode.ModelNotProtobuf,
  EvaluationErrorCode.OpsetUnsupported,
  EvaluationErrorCode.CustomOperatorDomain,
  EvaluationErrorCode.ExternalDataOutsideArtifact,
  EvaluationErrorCode.IoContractMismatch,
  EvaluationErrorCode.DimensionTooLarge,
  EvaluationErrorCode.ModelLoadFailed,
  EvaluationErrorCode.InferenceFailed,
  EvaluationErrorCode.OutputInvalid,
  EvaluationErrorCode.NonCausal,
  EvaluationErrorCode.Contaminated,
  EvaluationErrorCode.Timeout,
  EvaluationErrorCode.MemoryLimit,
  EvaluationErrorCode.RuntimeCrashed,
]);

/** A model file failed a static check; the message is the reason shown to the miner. */
export class ModelRejectedError extends DomainError<EvaluationErrorCode> {
  readonly status = 'unprocessable' as const;
}

/** A dataset or task definition problem (organiser configuration). */
export class DatasetError extends DomainError<EvaluationErrorCode.UnknownDataset | EvaluationErrorCode.InvalidDataset | EvaluationErrorCode.UnsupportedTaskType> {
  readonly status: 'not_found' | 'bad_request';
  constructor(
    code: EvaluationErrorCode.UnknownDataset | EvaluationErrorCode.InvalidDataset | EvaluationErrorCode.UnsupportedTaskType,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, undefined, options);
    this.status = code === EvaluationErrorCode.UnknownDataset ? 'not_found' : 'bad_request';
  }
}

/** Raised inside an evaluator when the model's output breaks the contract at run time (shape, type, non-finite loss). */
export class OutputContractError extends DomainError<EvaluationErrorCode.OutputInvalid> {
  readonly status = 'unprocessable' as const;
  constructor(message: string) {
    super(EvaluationErrorCode.OutputInvalid, message);
  }
}

/** Raised by an evaluator when a spliced pass changes a logit before its cut (task-types/causality.ts). */
export class NonCausalModelError extends DomainError<EvaluationErrorCode.NonCausal> {
  readonly status = 'unprocessable' as const;
  constructor(readonly violation: CausalityViolation) {
    super(EvaluationErrorCode.NonCausal, `non-causal: logits at position ${violation.position} changed when tokens after ${violation.position} changed`, { ...violation });
  }
}
