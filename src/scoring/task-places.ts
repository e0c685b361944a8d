/**
 * Where entrants stand across tasks whose metrics differ (pure): a reward in [0, 1] where higher is
 * better and a loss in nats where lower is better cannot be averaged, but each entrant's place on
 * each task can. Used to order the live leaderboard.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */
import type { MetricDirection } from './ranking';

export interface TaskScore {
  entrantId: string;
  taskId: string;
  direction: MetricDirection;
  metricValue: number;
}

/**
 * Each entrant's mean place over the tasks it was scored on. On a task scored for n entrants,
 * place = (entrants with a strictly better metric, in the task's direction) / (n - 1): 0 is the best,
 * 1 the worst, tied entrants share a place, and an entrant scored alone is at 0.
 */
export function meanTaskPlaces(scores: readonly TaskScore[]): Map<string, number> {
  const byTask = new Map<string, TaskScore[]>();
  for (const s of scores) byTask.set(s.taskId, [...(byTask.get(s.taskId) ?? []), s]);
  const totals = new Map<string, { sum: number; count: number }>();
  for (const task of byTask.values()) {
    for (const s of task) {
      const better = task.filter((o) => (s.direction === 'higher' ? o.metricValue > s.metricValue : o.metricValue < s.metricValue)).length;
      const place = task.length > 1 ? better / (task.length - 1) : 0;
      const t = totals.get(s.entrantId) ?? { sum: 0, count: 0 };
      totals.set(s.entrantId, { sum: t.sum + place, count: t.count + 1 });
    }
  }
  return new Map([...totals].map(([entrantId, t]) => [entrantId, t.sum / t.count]));
}
