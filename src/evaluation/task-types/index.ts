import type { TaskType } from '../task-data';
import { causalLmEvaluator } from './causal-lm.evaluator';
import { classificationEvaluator } from './classification.evaluator';
import { imageEvaluator } from './image.evaluator';
import { instructEvaluator } from './instruct.evaluator';
import { preferenceEvaluator } from './preference.evaluator';
import { rewardEvaluator } from './reward.evaluator';
import type { TaskEvaluator } from './task-evaluator';

/** The one place task types are registered. */
export const TASK_EVALUATORS: Record<TaskType, TaskEvaluator> = {
  'causal-lm': causalLmEvaluator,
  classification: classificationEvaluator,
  image: imageEvaluator,
  instruct: instructEvaluator,
  preference: preferenceEvaluator,
  reward: rewardEvaluator,
};

export function evaluatorFor(taskType: string): TaskEvaluator | undefined {
  return Object.prototype.hasOwnProperty.call(TASK_EVALUATORS, taskType) ? TASK_EVALUATORS[taskType as TaskType] : undefined;
}
