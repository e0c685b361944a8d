import { defaultRulebook, Rulebook } from './rulebook';
import { BASELINE_HOTKEY, deriveTournament, TournamentEvidence, weightsFromDerivations } from './tournament-evidence';

/**
 * Text and image tournaments side by side: each decided on its own tasks (a reward task ranks
 * descending), each paid from its own pool, the rest burnt. Every expected number is worked by hand.
 * Both: a baseline champion and two challengers; one knockout pair, then the boss round (one task,
 * threshold gate, t = base = 0.1). Rules: decay 0.5, no participation floor, pools text 0.6 and
 * image 0.3 (0.1 to the burn uid 0).
 */
const rulebook: Rulebook = { ...defaultRulebook(), bossTasks: 1, bossGate: 'threshold', weightDecay: 0.5, participationFloor: 0, pools: { text: 0.6, image: 0.3 } };

function tournament(id: string, type: string, direction: 'lower' | 'higher', x: { hk: string; pair: number }, y: { hk: string; pair: number }, boss: { player: 'x' | 'y'; challenger: number; baseline: number }): TournamentEvidence {
  return {
    id,
    type,
    rulebook,
    championDefences: 0,
    entrants: [
      { id: `${id}-base`, hotkey: BASELINE_HOTKEY, isChampion: true, submittedAt: 0 },
      { id: `${id}-x`, hotkey: x.hk, isChampion: false, submittedAt: 1000 },
      { id: `${id}-y`, hotkey: y.hk, isChampion: false, submittedAt: 2000 },
    ],
    tasks: [
      { id: `${id}-k0`, roundIndex: 0, slot: 0, direction },
      { id: `${id}-boss`, roundIndex: 1, slot: 0, direction },
    ],
    runs: [
      { id: `${id}-r1`, taskId: `${id}-k0`, entrantId: `${id}-x`, attempt: 1, outcome: 'succeeded' },
      { id: `${id}-r2`, taskId: `${id}-k0`, entrantId: `${id}-y`, attempt: 1, outcome: 'succeeded' },
      { id: `${id}-r3`, taskId: `${id}-boss`, entrantId: `${id}-base`, attempt: 1, outcome: 'succeeded' },
      // The boss round's challenger: the pair's winner.
      { id: `${id}-r4`, taskId: `${id}-boss`, entrantId: `${id}-${boss.player}`, attempt: 1, outcome: 'succeeded' },
    ],
    scores: [
      { runId: `${id}-r1`, metricValue: x.pair, modelSha256: `${id}-m1`, losses: null },
      { runId: `${id}-r2`, metricValue: y.pair, modelSha256: `${id}-m2`, losses: null },
      { runId: `${id}-r3`, metricValue: boss.baseline, modelSha256: `${id}-m3`, losses: null },
      { runId: `${id}-r4`, metricValue: boss.challenger, modelSha256: `${id}-m4`, losses: null },
    ],
  };
}

describe('text and image tournaments, each with its own pool', () => {
  it('a text winner (reward tasks) and an image winner (denoising loss) both receive their pool shares', () => {
    // Text, reward (higher is better): pair A 0.4 vs B 0.7 -> B advances; boss B 0.8 >= baseline 0.5 * 1.1 = 0.55 -> B wins.
    // Ranking B, baseline, A.
    const text = deriveTournament(tournament('text-1', 'text', 'higher', { hk: 'hkA', pair: 0.4 }, { hk: 'hkB', pair: 0.7 }, { player: 'y', challenger: 0.8, baseline: 0.5 }));
    expect(text.rounds[0].advancing).toEqual(['text-1-y']);
    expect(text.rounds[1].verdict).toMatchObject({ challengerWins: true, tasks: [{ direction: 'higher', thresholdPassed: true }] });
    expect(text.ranking).toEqual(['text-1-y', 'text-1-base', 'text-1-x']);

    // Image, loss: pair C 0.30 vs D 0.20 -> D advances; boss D 0.25 <= baseline 0.5 * 0.9 = 0.45 -> D wins.
    // Ranking D, baseline, C.
    const image = deriveTournament(tournament('image-1', 'image', 'lower', { hk: 'hkC', pair: 0.3 }, { hk: 'hkD', pair: 0.2 }, { player: 'y', challenger: 0.25, baseline: 0.5 }));
    expect(image.rounds[0].advancing).toEqual(['image-1-y']);
    expect(image.ranking).toEqual(['image-1-y', 'image-1-base', 'image-1-x']);

    // Rank weights 1, 0.5, 0.25 (sum 1.75) -> 4/7, 2/7, 1/7 of each pool; the baseline's share is burnt.
    // Text pool 0.6: B 2.4/7, burn 1.2/7, A 0.6/7. Image pool 0.3: D 1.2/7, burn 0.6/7, C 0.3/7.
    // Burn uid 0: 0.1 (unpooled) + 1.2/7 + 0.6/7 = 0.7/7 + 1.8/7 = 2.5/7. Total (2.5 + 0.6 + 2.4 + 0.3 + 1.2) / 7 = 1.
    const v = weightsFromDerivations({
      tournaments: [
        { rulebook, derivation: image },
        { rulebook, derivation: text },
      ],
      metagraph: { block: 7, uids: { hkA: 1, hkB: 2, hkC: 3, hkD: 4 } },
      burnUid: 0,
    });
    expect(v.uids).toEqual([0, 1, 2, 3, 4]);
    [2.5 / 7, 0.6 / 7, 2.4 / 7, 0.3 / 7, 1.2 / 7].forEach((w, i) => expect(v.weights[i]).toBeCloseTo(w, 12));
    const rankShares = v.shares.filter((s) => s.kind === 'rank' && !s.burned).map((s) => [s.tournamentType, s.hotkey, s.rank]);
    expect(rankShares).toEqual([
      ['image', 'hkD', 1],
      ['image', 'hkC', 3],
      ['text', 'hkB', 1],
      ['text', 'hkA', 3],
    ]);
  });
});
