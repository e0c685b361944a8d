import { meanTaskPlaces, TaskScore } from './task-places';

const score = (entrantId: string, taskId: string, direction: 'lower' | 'higher', metricValue: number): TaskScore => ({ entrantId, taskId, direction, metricValue });

describe('meanTaskPlaces', () => {
  it('places each entrant on each task in the task\'s direction, then averages the places', () => {
    const places = meanTaskPlaces([
      // A reward task (higher is better), 3 entrants: B 0.9 best (0), A 0.5 (1/2), C 0.1 worst (1).
      score('A', 'reward-1', 'higher', 0.5),
      score('B', 'reward-1', 'higher', 0.9),
      score('C', 'reward-1', 'higher', 0.1),
      // A loss task (lower is better), 3 entrants: A 1.2 best (0), C 1.5 (1/2), B 2.0 worst (1).
      score('A', 'instruct-1', 'lower', 1.2),
      score('B', 'instruct-1', 'lower', 2.0),
      score('C', 'instruct-1', 'lower', 1.5),
    ]);
    // A (1/2 + 0) / 2 = 0.25; B (0 + 1) / 2 = 0.5; C (1 + 1/2) / 2 = 0.75.
    expect(Object.fromEntries(places)).toEqual({ A: 0.25, B: 0.5, C: 0.75 });
  });

  it('ties share a place; an entrant scored alone is at 0; no score, no place', () => {
    const places = meanTaskPlaces([
      // Loss task: A and B tie at 1.0 (nobody strictly better: 0), C 3.0 (2 better: 2/2 = 1).
      score('A', 't1', 'lower', 1.0),
      score('B', 't1', 'lower', 1.0),
      score('C', 't1', 'lower', 3.0),
      score('D', 't2', 'higher', 0.2),
    ]);
    expect(Object.fromEntries(places)).toEqual({ A: 0, B: 0, C: 1, D: 0 });
    expect(meanTaskPlaces([]).size).toBe(0);
  });
});
