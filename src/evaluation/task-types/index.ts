import { DatasetError, EvaluationErrorCode } from '../evaluation.errors';
import type { TaskType } from '../task-data';
import { causalLmEvaluator } from './causal-lm.evaluator';
import { classificationEvaluator } from './classification.evaluator';
import { imageEvaluator } from './image.evaluator';
import { instructEvaluator } from './instruct.evaluator';
import { preferenceEvaluator } from './preference.evaluator';
import { rewardEvaluator } from './reward.evaluator';
import type { TaskEvaluator } from './task-evaluator';
import type * as ort from 'onnxruntime-node';

/** The one place task types are registered. */
export const TASK_EVALUATORS: Record<TaskType, TaskEvaluator> = {
  'causal-lm': causalLmEvaluator,
  classification: classificationEvaluator,
  image: imageEvaluator,
  instruct: instructEvaluator,
  preference: preferenceEvaluator,
  reward: rewardEvaluator,
};

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(TASK_EVALUATORS, value);
}

/**
 * A task type that comes from outside the type system (a CLI flag, a rulebook, an audit bundle):
 * returned typed when an evaluator exists for it, refused with a clear error otherwise.
 */
export function parseTaskType(value: unknown, where = 'task type'): TaskType {
  if (isTaskType(value)) return value;
  throw new DatasetError(EvaluationErrorCode.UnsupportedTaskType, `${where}: unknown task type ${JSON.stringify(value)} (known: ${Object.keys(TASK_EVALUATORS).join(', ')})`);
}

export function evaluatorFor(taskType: string): TaskEvaluator | undefined {
  return isTaskType(taskType) ? TASK_EVALUATORS[taskType] : undefined;
}

/** Runs every evaluator's job-independent set-up (a worker does this before it waits for its job). */
export async function warmEvaluators(runtime: typeof ort): Promise<void> {
  for (const evaluator of Object.values(TASK_EVALUATORS)) await evaluator.warm?.(runtime);
}
