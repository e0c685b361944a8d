import { groupAdvancers, pairWinner, rankTask, tournamentRanking } from './ranking';

describe('rankTask', () => {
  it('orders by loss, failures last, ties by earlier submission then id', () => {
    const ranked = rankTask([
      { entrantId: 'late-tie', submittedAt: 300, loss: 1.5 },
      { entrantId: 'failed-early', submittedAt: 50, loss: null },
      { entrantId: 'best', submittedAt: 400, loss: 1.2 },
      { entrantId: 'early-tie', submittedAt: 100, loss: 1.5 },
      { entrantId: 'nan', submittedAt: 10, loss: Number.NaN },
      { entrantId: 'b-same-time', submittedAt: 200, loss: 1.5 },
      { entrantId: 'a-same-time', submittedAt: 200, loss: 1.5 },
    ]);
    expect(ranked.map((r) => [r.rank, r.entrantId, r.valid])).toEqual([
      [1, 'best', true],
      [2, 'early-tie', true],
      [3, 'a-same-time', true],
      [4, 'b-same-time', true],
      [5, 'late-tie', true],
      [6, 'nan', false],
      [7, 'failed-early', false],
    ]);
  });

  it('refuses a duplicated entrant', () => {
    expect(() =>
      rankTask([
        { entrantId: 'a', submittedAt: 1, loss: 1 },
        { entrantId: 'a', submittedAt: 1, loss: 2 },
      ]),
    ).toThrow(/twice/);
  });
});

describe('round winners', () => {
  it('group: top N valid results advance, failures never do', () => {
    const results = [
      { entrantId: 'a', submittedAt: 1, loss: 3 },
      { entrantId: 'b', submittedAt: 2, loss: 1 },
      { entrantId: 'c', submittedAt: 3, loss: null },
      { entrantId: 'd', submittedAt: 4, loss: 2 },
    ];
    expect(groupAdvancers(results, 2)).toEqual(['b', 'd']);
    expect(groupAdvancers(results, 8)).toEqual(['b', 'd', 'a']);
  });

  it('knockout pair: the better valid run wins, a tie goes to the earlier submission, none when both failed', () => {
    expect(pairWinner([
      { entrantId: 'x', submittedAt: 5, loss: 2 },
      { entrantId: 'y', submittedAt: 9, loss: 1 },
    ])).toBe('y');
    expect(pairWinner([
      { entrantId: 'x', submittedAt: 5, loss: 1 },
      { entrantId: 'y', submittedAt: 9, loss: 1 },
    ])).toBe('x');
    expect(pairWinner([
      { entrantId: 'x', submittedAt: 5, loss: null },
      { entrantId: 'y', submittedAt: 9, loss: null },
    ])).toBeNull();
  });
});

describe('tournamentRanking', () => {
  const eliminated = [
    { entrantId: 'g1', submittedAt: 10, roundIndex: 0, withinRoundRank: 9, valid: true },
    { entrantId: 'g2', submittedAt: 5, roundIndex: 0, withinRoundRank: 9, valid: true },
    { entrantId: 'gf', submittedAt: 1, roundIndex: 0, withinRoundRank: 3, valid: false },
    { entrantId: 'k1', submittedAt: 20, roundIndex: 1, withinRoundRank: 2, valid: true },
    { entrantId: 'k2', submittedAt: 30, roundIndex: 2, withinRoundRank: 2, valid: true },
  ];

  it('challenger dethrones the champion', () => {
    const r = tournamentRanking({ champion: { id: 'champ' }, bossChallenger: 'c', challengerWonBoss: true, eliminated });
    expect(r.map((s) => s.entrantId)).toEqual(['c', 'champ', 'k2', 'k1', 'g2', 'g1', 'gf']);
    expect(r.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r[1]).toEqual({ entrantId: 'champ', rank: 2, isChampion: true, eliminatedInRound: null });
    expect(r[2].eliminatedInRound).toBe(2);
  });

  it('champion defends; a baseline champion is ranked like any champion; no champion, no entry', () => {
    const r = tournamentRanking({ champion: { id: 'champ' }, bossChallenger: 'c', challengerWonBoss: false, eliminated: [] });
    expect(r.map((s) => s.entrantId)).toEqual(['champ', 'c']);
    const b = tournamentRanking({ champion: { id: 'base' }, bossChallenger: 'c', challengerWonBoss: false, eliminated: [] });
    expect(b.map((s) => [s.entrantId, s.rank])).toEqual([['base', 1], ['c', 2]]);
    const none = tournamentRanking({ champion: null, bossChallenger: 'c', challengerWonBoss: true, eliminated: [] });
    expect(none.map((s) => [s.entrantId, s.rank])).toEqual([['c', 1]]);
  });

  it('refuses an entrant ranked twice', () => {
    expect(() => tournamentRanking({ champion: { id: 'champ' }, bossChallenger: 'g1', challengerWonBoss: true, eliminated })).toThrow(/twice/);
  });
});
