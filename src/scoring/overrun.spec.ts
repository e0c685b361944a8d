import { BracketContext, planFirstRound } from './bracket';
import { defaultRulebook, Rulebook } from './rulebook';
import { overrunStop } from './overrun';
import { BASELINE_HOTKEY, deriveTournament, TournamentEvidence } from './tournament-evidence';

/**
 * The overrun rule replayed from evidence. Baseline champion, four challengers a..d in submission
 * order: knockout pairs (a, d) and (b, c) (first-with-last), then a knockout of the two winners, then
 * the boss round (1 task). Losses: a 2.0, b 2.1, c 2.2, d never finished (its run was closed).
 */
function evidence(overrun: TournamentEvidence['overrun'], withBoss = false): TournamentEvidence {
  const rulebook: Rulebook = { ...defaultRulebook(), bossTasks: 1, pools: { text: 1 } };
  return {
    id: 't1',
    type: 'text',
    rulebook,
    championDefences: 0,
    entrants: [
      { id: 'base', hotkey: BASELINE_HOTKEY, isChampion: true, submittedAt: 0 },
      ...['a', 'b', 'c', 'd'].map((id, i) => ({ id, hotkey: `hk-${id}`, isChampion: false, submittedAt: 1000 * (i + 1) })),
    ],
    tasks: [{ id: 'k0', roundIndex: 0, slot: 0 }, { id: 'k1', roundIndex: 0, slot: 1 }, ...(withBoss ? [{ id: 'k2', roundIndex: 1, slot: 0 }, { id: 'boss', roundIndex: 2, slot: 0 }] : [])],
    runs: [
      { id: 'ra', taskId: 'k0', entrantId: 'a', attempt: 1, outcome: 'succeeded' },
      { id: 'rd', taskId: 'k0', entrantId: 'd', attempt: 1, outcome: 'infra_failed' },
      { id: 'rb', taskId: 'k1', entrantId: 'b', attempt: 1, outcome: 'succeeded' },
      { id: 'rc', taskId: 'k1', entrantId: 'c', attempt: 1, outcome: 'succeeded' },
      ...(withBoss
        ? [
            { id: 'ra2', taskId: 'k2', entrantId: 'a', attempt: 1, outcome: 'succeeded' },
            { id: 'rb2', taskId: 'k2', entrantId: 'b', attempt: 1, outcome: 'succeeded' },
            { id: 'rbase', taskId: 'boss', entrantId: 'base', attempt: 1, outcome: 'succeeded' },
            { id: 'rboss', taskId: 'boss', entrantId: 'a', attempt: 1, outcome: 'infra_failed' },
          ]
        : []),
    ],
    scores: [
      { runId: 'ra', metricValue: 2.0, modelSha256: 'm-a', losses: null },
      { runId: 'rb', metricValue: 2.1, modelSha256: 'm-b', losses: null },
      { runId: 'rc', metricValue: 2.2, modelSha256: 'm-c', losses: null },
      ...(withBoss
        ? [
            { runId: 'ra2', metricValue: 2.0, modelSha256: 'm-a2', losses: null },
            { runId: 'rb2', metricValue: 2.1, modelSha256: 'm-b2', losses: null },
            { runId: 'rbase', metricValue: 3.0, modelSha256: 'm-base', losses: null },
          ]
        : []),
    ],
    overrun,
  };
}

const marker = (decidedRounds: number) => ({ endsBy: '2027-01-01T00:00:00.000Z', at: '2027-01-01T00:00:02.000Z', decidedRounds, reason: 'time budget passed' });

describe('overrun rule', () => {
  it('a knockout round decided on the tasks that finished; the next round not played: the champion defends, the survivors rank next in seeding', () => {
    // Round 0: pair (a, d): a advances (d has no result); pair (b, c): b (2.1 < 2.2). Round 1 (a vs b) is not played.
    // Ranking: champion; then a, b (reached round 1, seeding order); then round 0's losers, valid first: c, d.
    const d = deriveTournament(evidence(marker(1)));
    expect(d.overrun).toBe(true);
    expect(d.rounds.map((r) => [r.index, r.kind, r.advancing])).toEqual([[0, 'knockout', ['a', 'b']]]);
    expect(d.winnerEntrantId).toBe('base');
    expect(d.ranking).toEqual(['base', 'a', 'b', 'c', 'd']);
  });

  it('without the marker the same evidence cannot be derived (round 1 has no tasks): the marker is what the auditor replays', () => {
    expect(() => deriveTournament(evidence(null))).toThrow(/round 1 \(knockout\) has no tasks/);
  });

  it('a boss round under way is on record but not decided: the champion defends, the challenger ranks second', () => {
    // Round 1: a (2.0) beats b (2.1); the boss round (index 2) started, a's run never finished.
    const d = deriveTournament(evidence(marker(2), true));
    expect(d.rounds.map((r) => [r.index, r.kind, r.advancing, r.verdict])).toEqual([
      [0, 'knockout', ['a', 'b'], null],
      [1, 'knockout', ['a'], null],
      [2, 'boss', [], null],
    ]);
    expect(d.winnerEntrantId).toBe('base');
    expect(d.ranking).toEqual(['base', 'a', 'b', 'c', 'd']);
  });

  it('overrunStop without a champion leaves the title open', () => {
    const ctx: BracketContext = { entrants: ['a', 'b', 'c'], champion: 'no-champion', seed: 's', rules: { knockoutMax: 14, groupSize: 32, groupAdvance: 8, bossTasks: 1 } };
    const plan = planFirstRound(ctx);
    if (plan.kind === 'done') throw new Error('unexpected');
    // Odd field: pairs (a, b) and (c, champion): the champion's slot is not a challenger.
    expect(overrunStop(ctx, plan, () => 0)).toEqual({
      titleHolder: 'no-champion',
      bossChallenger: null,
      unplaced: ['a', 'b', 'c'].map((entrantId, i) => ({ entrantId, submittedAt: 0, roundIndex: 0, withinRoundRank: i + 1, valid: true })),
    });
  });
});
