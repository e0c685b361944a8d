import { defaultRulebook, Rulebook } from './rulebook';
import { BASELINE_HOTKEY, deriveTournament, TournamentEvidence, weightsFromDerivations } from './tournament-evidence';
import { convertWeightsAndUidsForEmit } from './u16';

/**
 * A baseline champion and two challengers A (earlier) and B: one knockout pair A-B, then A plays the
 * boss round (one task, threshold gate, t = base = 0.1) against the baseline, whose loss is 3.0.
 * Rules: decay 0.5, no participation floor, the whole emission to "text", burn uid 0.
 */
function evidence(bossLossOfA: number, rules: Partial<Rulebook> = {}): { rulebook: Rulebook; ev: TournamentEvidence } {
  const rulebook: Rulebook = { ...defaultRulebook(), bossTasks: 1, bossGate: 'threshold', weightDecay: 0.5, participationFloor: 0, pools: { text: 1 }, ...rules };
  const ev: TournamentEvidence = {
    id: 't1',
    type: 'text',
    rulebook,
    championDefences: 0,
    entrants: [
      { id: 'base', hotkey: BASELINE_HOTKEY, isChampion: true, submittedAt: 0 },
      { id: 'b', hotkey: 'hkB', isChampion: false, submittedAt: 2000 },
      { id: 'a', hotkey: 'hkA', isChampion: false, submittedAt: 1000 },
    ],
    tasks: [
      { id: 'k0', roundIndex: 0, slot: 0 },
      { id: 'boss0', roundIndex: 1, slot: 0 },
    ],
    runs: [
      { id: 'r1', taskId: 'k0', entrantId: 'a', attempt: 1, outcome: 'succeeded' },
      { id: 'r2', taskId: 'k0', entrantId: 'b', attempt: 1, outcome: 'miner_failed' },
      { id: 'r3', taskId: 'k0', entrantId: 'b', attempt: 2, outcome: 'succeeded' },
      { id: 'r4', taskId: 'boss0', entrantId: 'a', attempt: 1, outcome: 'succeeded' },
      { id: 'r5', taskId: 'boss0', entrantId: 'base', attempt: 1, outcome: 'succeeded' },
    ],
    scores: [
      { runId: 'r1', metricValue: 2.5, modelSha256: 'model-r1', losses: null },
      { runId: 'r3', metricValue: 2.6, modelSha256: 'model-r3', losses: null },
      { runId: 'r4', metricValue: bossLossOfA, modelSha256: 'model-r4', losses: null },
      { runId: 'r5', metricValue: 3.0, modelSha256: 'model-r5', losses: null },
    ],
  };
  return { rulebook, ev };
}

const allRegistered = { block: 100, uids: { hkA: 1, hkB: 2 } };

describe('deriveTournament + weightsFromDerivations', () => {
  it('a challenger that wins the boss round ranks first; the baseline keeps 2nd place and its share goes to the burn uid', () => {
    // A 2.0 <= 3.0 * (1 - 0.1) = 2.7: A takes the title. Ranking A, baseline, B.
    // decay 0.5: raw 1, 0.5, 0.25 (sum 1.75) -> 4/7, 2/7, 1/7. A -> uid 1, baseline -> burn uid 0, B -> uid 2.
    const { rulebook, ev } = evidence(2.0);
    const d = deriveTournament(ev);
    expect(d.rounds.map((r) => [r.index, r.kind, r.advancing])).toEqual([
      [0, 'knockout', ['a']],
      [1, 'boss', ['a']],
    ]);
    expect(d.rounds[1].verdict).toMatchObject({ challengerWins: true, tasksWon: 1, threshold: 0.1 });
    expect(d.winnerEntrantId).toBe('a');
    expect(d.ranking).toEqual(['a', 'base', 'b']);
    const v = weightsFromDerivations({ tournaments: [{ rulebook, derivation: d }], metagraph: allRegistered, burnUid: 0 });
    expect(v.uids).toEqual([0, 1, 2]);
    expect(v.weights[0]).toBeCloseTo(2 / 7, 12);
    expect(v.weights[1]).toBeCloseTo(4 / 7, 12);
    expect(v.weights[2]).toBeCloseTo(1 / 7, 12);
    // u16: max-upscale by 4/7: uid 1 -> 65535, uid 0 -> 65535 / 2 = 32767.5 -> 32768 (half to even), uid 2 -> 16383.75 -> 16384.
    expect(convertWeightsAndUidsForEmit(v.uids, v.weights)).toEqual({ uids: [0, 1, 2], weights: [32768, 65535, 16384] });
  });

  it('a challenger that loses the boss round gets the 2nd share, not the 1st: the baseline keeps the 1st for the burn uid', () => {
    // A 2.9 > 2.7: the baseline keeps the title. Ranking baseline, A, B -> burn 4/7, A 2/7, B 1/7.
    const { rulebook, ev } = evidence(2.9);
    const d = deriveTournament(ev);
    expect(d.rounds[1].verdict).toMatchObject({ challengerWins: false, tasksWon: 0 });
    expect(d.winnerEntrantId).toBe('base');
    expect(d.ranking).toEqual(['base', 'a', 'b']);
    const v = weightsFromDerivations({ tournaments: [{ rulebook, derivation: d }], metagraph: allRegistered, burnUid: 0 });
    expect(v.uids).toEqual([0, 1, 2]);
    expect(v.weights[0]).toBeCloseTo(4 / 7, 12);
    expect(v.weights[1]).toBeCloseTo(2 / 7, 12);
    expect(v.weights[2]).toBeCloseTo(1 / 7, 12);
  });

  it('uids come from the snapshot: a deregistered hotkey, and one whose uid now belongs to another hotkey, are paid to the burn uid', () => {
    // Won case (A 4/7, baseline 2/7, B 1/7). Snapshot: A is gone and its old uid 1 belongs to hkZ; B moved to uid 5.
    // burn uid 0 = 4/7 (A) + 2/7 (baseline) = 6/7; uid 5 = 1/7; uid 1 (hkZ) gets nothing.
    const { rulebook, ev } = evidence(2.0);
    const d = deriveTournament(ev);
    const v = weightsFromDerivations({ tournaments: [{ rulebook, derivation: d }], metagraph: { block: 200, uids: { hkZ: 1, hkB: 5 } }, burnUid: 0 });
    expect(v.uids).toEqual([0, 5]);
    expect(v.weights[0]).toBeCloseTo(6 / 7, 12);
    expect(v.weights[1]).toBeCloseTo(1 / 7, 12);
  });

  it('weight formula 1 (rulebooks sealed before the version existed) leaves the baseline out', () => {
    // Ranking A, B -> decay 0.5: 1, 0.5 (sum 1.5) -> A 2/3, B 1/3.
    const { rulebook, ev } = evidence(2.0, { weightFormula: undefined });
    const d = deriveTournament(ev);
    expect(d.weightFormula).toBe(1);
    expect(d.ranking).toEqual(['a', 'b']);
    const v = weightsFromDerivations({ tournaments: [{ rulebook, derivation: d }], metagraph: allRegistered, burnUid: 0 });
    expect(v.uids).toEqual([1, 2]);
    expect(v.weights[0]).toBeCloseTo(2 / 3, 12);
    expect(v.weights[1]).toBeCloseTo(1 / 3, 12);
  });

  it('nothing decided: the whole emission goes to the burn uid', () => {
    expect(weightsFromDerivations({ tournaments: [], metagraph: allRegistered, burnUid: 3 })).toMatchObject({ uids: [3], weights: [1] });
  });

  it('the latest attempt counts, and a boss round without per-example losses cannot be decided by the bootstrap', () => {
    const { ev } = evidence(2.0, { bossGate: 'both' });
    expect(() => deriveTournament(ev)).toThrow(/per-example losses are required/);
    // B's first attempt failed, its second succeeded with 2.6: it lost the pair to A (2.5) with a valid run.
    const d = deriveTournament(evidence(2.0).ev);
    expect(d.rounds[0].tasks[0].ranking.map((r) => [r.entrantId, r.loss, r.valid])).toEqual([
      ['a', 2.5, true],
      ['b', 2.6, true],
    ]);
  });
});
