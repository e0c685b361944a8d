import { orderLeaderboard } from './leaderboard';
import type { StandingRow } from './standings.repository';

function row(id: string, over: Partial<StandingRow> = {}): StandingRow {
  return {
    entrantId: id,
    hotkey: `hk-${id}`,
    uid: null,
    repoUrl: 'https://example.org/r.git',
    commitSha: 'a'.repeat(40),
    receivedAt: new Date('2026-01-01T00:00:00Z'),
    isChampion: false,
    eliminatedInRound: null,
    tasksScored: 1,
    meanMetric: 2,
    meanPlace: 0.5,
    runsSucceeded: 1,
    runsFailed: 0,
    runsActive: 0,
    ...over,
  };
}

describe('orderLeaderboard', () => {
  it('puts entrants still in first, then later eliminations, then better mean place, then earlier submission', () => {
    const rows = [
      row('out-early', { eliminatedInRound: 0, meanPlace: 0 }),
      row('in-worse', { meanPlace: 1 }),
      row('out-late', { eliminatedInRound: 1, meanPlace: 1 }),
      row('in-better-late', { meanPlace: 0.5, receivedAt: new Date('2026-01-02T00:00:00Z') }),
      row('in-better-early', { meanPlace: 0.5 }),
    ];
    expect(orderLeaderboard(rows, null).map((r) => [r.rank, r.entrantId])).toEqual([
      [1, 'in-better-early'],
      [2, 'in-better-late'],
      [3, 'in-worse'],
      [4, 'out-late'],
      [5, 'out-early'],
    ]);
  });

  it('orders by place, not by the raw metric: a higher reward and a lower loss both rank first', () => {
    // Reward tasks (higher is better): "high" scored 0.9 and placed 0, "low" scored 0.2 and placed 1.
    // Sorting the raw means ascending, as the board did, put "low" first.
    const reward = [row('low', { meanMetric: 0.2, meanPlace: 1 }), row('high', { meanMetric: 0.9, meanPlace: 0 })];
    expect(orderLeaderboard(reward, null).map((r) => r.entrantId)).toEqual(['high', 'low']);
    // Mixed task types have no mean metric; the place still orders them, and no score comes last.
    const mixed = [row('none', { meanMetric: null, meanPlace: null }), row('mixed', { meanMetric: null, meanPlace: 0.25 })];
    expect(orderLeaderboard(mixed, null).map((r) => r.entrantId)).toEqual(['mixed', 'none']);
  });

  it('follows the final ranking once the tournament is finalised', () => {
    const rows = [row('a', { meanMetric: 1 }), row('b', { meanMetric: 5 })];
    expect(orderLeaderboard(rows, ['b', 'a']).map((r) => r.entrantId)).toEqual(['b', 'a']);
  });
});
