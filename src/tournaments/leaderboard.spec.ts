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
    runsSucceeded: 1,
    runsFailed: 0,
    runsActive: 0,
    ...over,
  };
}

describe('orderLeaderboard', () => {
  it('puts entrants still in first, then later eliminations, then lower loss, then earlier submission', () => {
    const rows = [
      row('out-early', { eliminatedInRound: 0, meanMetric: 1 }),
      row('in-worse', { meanMetric: 3 }),
      row('out-late', { eliminatedInRound: 1, meanMetric: 9 }),
      row('in-better-late', { meanMetric: 2, receivedAt: new Date('2026-01-02T00:00:00Z') }),
      row('in-better-early', { meanMetric: 2 }),
    ];
    expect(orderLeaderboard(rows, null).map((r) => [r.rank, r.entrantId])).toEqual([
      [1, 'in-better-early'],
      [2, 'in-better-late'],
      [3, 'in-worse'],
      [4, 'out-late'],
      [5, 'out-early'],
    ]);
  });

  it('follows the final ranking once the tournament is finalised', () => {
    const rows = [row('a', { meanMetric: 1 }), row('b', { meanMetric: 5 })];
    expect(orderLeaderboard(rows, ['b', 'a']).map((r) => r.entrantId)).toEqual(['b', 'a']);
  });
});
