import { decideBoss, pairedBootstrap } from './boss-gate';
import { decideRound, type KnockoutRoundPlan } from './bracket';
import { pairWinner, rankTask } from './ranking';
import { DEFAULT_RULEBOOK } from './rulebook';

/** Higher-is-better metrics (rewards) beside losses: every expected value below is worked by hand. */
const side = (loss: number | null, perExample: number[] | null = null) => ({ loss, perExample: perExample === null ? null : Float64Array.from(perExample) });

describe('metric direction', () => {
  it('ranks a reward descending, failures last, ties by earlier submission', () => {
    const results = [
      { entrantId: 'low', submittedAt: 1, loss: 0.5 },
      { entrantId: 'failed', submittedAt: 2, loss: null },
      { entrantId: 'high-late', submittedAt: 30, loss: 0.9 },
      { entrantId: 'high-early', submittedAt: 20, loss: 0.9 },
    ];
    expect(rankTask(results, 'higher').map((r) => r.entrantId)).toEqual(['high-early', 'high-late', 'low', 'failed']);
    expect(rankTask(results).map((r) => r.entrantId)).toEqual(['low', 'high-early', 'high-late', 'failed']);
    expect(pairWinner(results.slice(0, 1).concat(results[2]), 'higher')).toBe('high-late');
    expect(() => rankTask(results, 'sideways' as never)).toThrow(RangeError);
  });

  it('decides a knockout round slot by slot in each task direction', () => {
    const plan: KnockoutRoundPlan = {
      kind: 'knockout',
      roundIndex: 0,
      pairs: [
        { slot: 0, entrants: ['a', 'b'], withChampion: false },
        { slot: 1, entrants: ['c', 'd'], withChampion: false },
      ],
    } as KnockoutRoundPlan;
    const r = (id: string, v: number) => ({ entrantId: id, submittedAt: 0, loss: v });
    // slot 0 is a loss (a: 2 beats b: 3), slot 1 a reward (d: 0.8 beats c: 0.2).
    const decision = decideRound(plan, [[r('a', 2), r('b', 3)], [r('c', 0.2), r('d', 0.8)]], ['lower', 'higher']);
    expect(decision.advancing).toEqual(['a', 'd']);
    // Without directions every slot is a loss: c (0.2) wins slot 1.
    expect(decideRound(plan, [[r('a', 2), r('b', 3)], [r('c', 0.2), r('d', 0.8)]]).advancing).toEqual(['a', 'c']);
  });

  it('threshold: a reward needs challenger >= champion * (1 + t), a loss challenger <= champion * (1 - t)', () => {
    // New champion: t = base = 0.1. Champion 0.5 on every task.
    // Reward: 0.56 >= 0.55 wins, 0.54 < 0.55 loses. Loss: 0.44 <= 0.45 wins, 0.46 > 0.45 loses.
    const tasks = [
      { taskId: 'r1', direction: 'higher' as const, champion: side(0.5), challenger: side(0.56) },
      { taskId: 'r2', direction: 'higher' as const, champion: side(0.5), challenger: side(0.54) },
      { taskId: 'l1', direction: 'lower' as const, champion: side(0.5), challenger: side(0.44) },
      { taskId: 'l2', champion: side(0.5), challenger: side(0.46) },
    ];
    const verdict = decideBoss({ rules: { ...DEFAULT_RULEBOOK, bossGate: 'threshold' }, championDefences: 0, tasks });
    expect(verdict.tasks.map((t) => [t.direction, t.thresholdPassed])).toEqual([
      ['higher', true],
      ['higher', false],
      ['lower', true],
      ['lower', false],
    ]);
    // Relative improvements: (0.56 - 0.5) / 0.5 = 0.12, (0.54 - 0.5) / 0.5 = 0.08, (0.5 - 0.44) / 0.5 = 0.12, (0.5 - 0.46) / 0.5 = 0.08.
    verdict.tasks.forEach((t, i) => expect(t.relativeImprovement).toBeCloseTo([0.12, 0.08, 0.12, 0.08][i], 12));
    // 2 of 4 tasks: the challenger needs 3.
    expect(verdict).toMatchObject({ tasksWon: 2, tasksNeeded: 3, challengerWins: false });
  });

  it('bootstrap: the relative improvement of a reward is mean(challenger) / mean(champion) - 1', () => {
    const opts = { samples: 500, confidence: 0.95, seed: 7n };
    // Every resample of per-example values [1, 1] vs [2, 2] sums to 2 vs 4.
    // Reward: 4 / 2 - 1 = 1 in every resample. Loss: 1 - 4 / 2 = -1.
    expect(pairedBootstrap(Float64Array.from([1, 1]), Float64Array.from([2, 2]), { ...opts, direction: 'higher' })).toEqual({ estimate: 1, lowerBound: 1 });
    expect(pairedBootstrap(Float64Array.from([1, 1]), Float64Array.from([2, 2]), opts)).toEqual({ estimate: -1, lowerBound: -1 });
    // A champion with no reward at all: a resample where the challenger has some is +1, else 0. The
    // challenger's [1, 0] gives 0 in the resamples that draw example 1 twice (a quarter of them),
    // far more than the 5% below the bound, so the bound is 0; the full-sample estimate is +1.
    expect(pairedBootstrap(Float64Array.from([0, 0]), Float64Array.from([1, 0]), { ...opts, direction: 'higher' })).toEqual({ estimate: 1, lowerBound: 0 });
  });

  it('both: a reward task won on both tests, a reward task lost on the bootstrap', () => {
    const rules = { ...DEFAULT_RULEBOOK, bossGate: 'both' as const };
    const tasks = [
      // Constant per-example rewards: 0.6 / 0.5 - 1 = 0.2 in every resample, > t = 0.1; threshold 0.6 >= 0.55.
      { taskId: 'win', direction: 'higher' as const, champion: side(0.5, [0.5, 0.5, 0.5]), challenger: side(0.6, [0.6, 0.6, 0.6]) },
      // Mean 0.6 passes the threshold. A resample with k draws of a 0.9 example sums 0.9k against 1.5:
      // r = 0.6k - 1, so k = 3: 0.8, 2: 0.2, 1: -0.4, 0: -1. P(k = 0) = 1/27 (3.7%) < 5% <= P(k <= 1) = 7/27,
      // so the 5% quantile is -0.4 (k = 1), below t: the bootstrap refuses it.
      { taskId: 'lucky', direction: 'higher' as const, champion: side(0.5, [0.5, 0.5, 0.5]), challenger: side(0.6, [0, 0.9, 0.9]) },
    ];
    const verdict = decideBoss({ rules, championDefences: 0, tasks });
    expect(verdict.tasks[0]).toMatchObject({ thresholdPassed: true, bootstrapPassed: true, challengerWins: true });
    expect(verdict.tasks[0].bootstrap?.lowerBound).toBeCloseTo(0.2, 12);
    expect(verdict.tasks[1]).toMatchObject({ thresholdPassed: true, bootstrapPassed: false, challengerWins: false });
    expect(verdict.tasks[1].bootstrap?.lowerBound).toBeCloseTo(-0.4, 12);
  });
});
