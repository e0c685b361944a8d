import type { MetricDirection } from '../../scoring/ranking';
import { evaluatorFor } from './index';

/**
 * Which way a task type's metric is better, from its evaluator: the one answer the live engine, the
 * weights and the auditor all use (a sealed task carries its task type, never a direction of its own).
 */
export function metricDirectionOf(taskType: string): MetricDirection {
  const evaluator = evaluatorFor(taskType);
  if (!evaluator) throw new Error(`unknown task type ${taskType}: no metric direction`);
  return evaluator.direction;
}
