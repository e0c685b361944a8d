import { bootstrapTaskSeeds, decideBoss, pairedBootstrap, progressiveThreshold, type BossTaskInput } from './boss-gate';
import { DEFAULT_RULEBOOK, type BossGateMode } from './rulebook';

const rules = (bossGate: BossGateMode) => ({ ...DEFAULT_RULEBOOK, bossGate });
const side = (loss: number | null, perExample: number[] | null = null) => ({
  loss,
  perExample: perExample === null ? null : Float64Array.from(perExample),
});

// Deterministic test data shared with the Python transcription used for the golden values.
const N = 50;
const champ = Array.from({ length: N }, (_, j) => 2 + ((j * 37) % 11) / 10);
const chall = champ.map((c, j) => c * 0.85 + (((j * 13) % 7) - 3) / 20);

describe('progressiveThreshold', () => {
  it('starts at base for a new champion (wins = 1) and decays per defence down to the floor', () => {
    const t = [0, 1, 2, 3, 4, 5, 6, 20].map((d) => progressiveThreshold(DEFAULT_RULEBOOK.threshold, d));
    // 0.1 * 0.8^d: 0.1, 0.08, 0.064, 0.0512, 0.04096, 0.032768, then the 0.03 floor
    [0.1, 0.08, 0.064, 0.0512, 0.04096, 0.032768, 0.03, 0.03].forEach((e, i) => expect(t[i]).toBeCloseTo(e, 15));
    expect(() => progressiveThreshold(DEFAULT_RULEBOOK.threshold, -1)).toThrow(RangeError);
  });
});

describe('pairedBootstrap', () => {
  it('matches the golden values and is reproducible', () => {
    const seeds = bootstrapTaskSeeds(DEFAULT_RULEBOOK.bootstrap.seed, 2);
    expect(seeds).toEqual([0xe7c5f3efeb036b56n, 0x699e0ffbc598b5adn]);
    const opts = { samples: 2000, confidence: 0.95, seed: seeds[0] };
    const a = pairedBootstrap(Float64Array.from(champ), Float64Array.from(chall), opts);
    expect(a).toEqual({ estimate: 0.1512028869286287, lowerBound: 0.14196141479099667 });
    expect(pairedBootstrap(Float64Array.from(champ), Float64Array.from(chall), opts)).toEqual(a);
    const b = pairedBootstrap(Float64Array.from(champ), Float64Array.from(chall), { ...opts, seed: seeds[1] });
    expect(b.lowerBound).toBe(0.1421874999999998);
  });

  it('refuses unpaired input', () => {
    expect(() => pairedBootstrap(new Float64Array(3), new Float64Array(4), { samples: 10, confidence: 0.95, seed: 1n })).toThrow(/length/);
    expect(() => pairedBootstrap(Float64Array.from([1, Number.NaN]), Float64Array.from([1, 1]), { samples: 10, confidence: 0.95, seed: 1n })).toThrow(/finite/);
  });
});

describe('decideBoss', () => {
  const thresholdTasks = (losses: (number | null)[]): BossTaskInput[] =>
    losses.map((l, i) => ({ taskId: `t${i}`, champion: side(1.0), challenger: side(l) }));

  it('threshold mode: the challenger needs a strict majority (4 of 6) at margin t', () => {
    // t = 0.1 -> must reach loss <= 0.9: 0.9 yes, 0.85 yes, 0.95 no, 0.5 yes, 1.2 no, failed no -> 3 of 6
    const held = decideBoss({ rules: rules('threshold'), championDefences: 0, tasks: thresholdTasks([0.9, 0.85, 0.95, 0.5, 1.2, null]) });
    expect(held.tasks.map((t) => t.challengerWins)).toEqual([true, true, false, true, false, false]);
    expect(held).toMatchObject({ taskCount: 6, tasksNeeded: 4, tasksWon: 3, challengerWins: false, threshold: 0.1 });
    expect(held.tasks[5].reason).toBe('challenger_failed');
    expect(held.tasks[1].relativeImprovement).toBeCloseTo(0.15, 12);
    expect(held.tasks[1].bootstrap).toBeNull();

    const taken = decideBoss({ rules: rules('threshold'), championDefences: 0, tasks: thresholdTasks([0.9, 0.85, 0.89, 0.5, 1.2, null]) });
    expect(taken).toMatchObject({ tasksWon: 4, challengerWins: true });
    expect(JSON.parse(JSON.stringify(taken))).toEqual(taken);
  });

  it('a longer reign lowers the bar', () => {
    // 0.95 misses t = 0.1 but passes t = 0.04096 (4 defences)
    const tasks = thresholdTasks([0.95, 0.95, 0.95]);
    expect(decideBoss({ rules: rules('threshold'), championDefences: 0, tasks }).challengerWins).toBe(false);
    expect(decideBoss({ rules: rules('threshold'), championDefences: 4, tasks }).challengerWins).toBe(true);
  });

  it('failed runs: a failed champion loses the task, both failed keeps it with the champion', () => {
    const v = decideBoss({
      rules: rules('threshold'),
      championDefences: 0,
      tasks: [
        { taskId: 'a', champion: side(null), challenger: side(3) },
        { taskId: 'b', champion: side(null), challenger: side(null) },
      ],
    });
    expect(v.tasks.map((t) => [t.reason, t.challengerWins])).toEqual([
      ['champion_failed', true],
      ['both_failed', false],
    ]);
    expect(v.challengerWins).toBe(false); // 1 of 2 is not a strict majority
  });

  it('bootstrap mode uses the published seed per task and reports the lower bound', () => {
    const v = decideBoss({
      rules: rules('bootstrap'),
      championDefences: 0,
      tasks: [{ taskId: 'x', champion: side(2.5, champ), challenger: side(2.1, chall) }],
    });
    expect(v.tasks[0].bootstrap).toEqual({ estimate: 0.1512028869286287, lowerBound: 0.14196141479099667, seed: '0xe7c5f3efeb036b56' });
    expect(v.tasks[0]).toMatchObject({ bootstrapPassed: true, thresholdPassed: null, challengerWins: true });
    expect(v.challengerWins).toBe(true);
  });

  it('both mode: a noisy win on the mean is not enough', () => {
    // mean improvement 0.2 > t, but the 5% bound of the resampled improvement is -0.28 (golden)
    const c = Array.from({ length: 10 }, () => 1.0);
    const x = Array.from({ length: 10 }, (_, j) => (j % 2 === 0 ? 0 : 1.6));
    const v = decideBoss({ rules: rules('both'), championDefences: 0, tasks: [{ taskId: 'n', champion: side(1.0, c), challenger: side(0.8, x) }] });
    expect(v.tasks[0]).toMatchObject({ thresholdPassed: true, bootstrapPassed: false, challengerWins: false, reason: 'missed_margin' });
    expect(v.tasks[0].bootstrap?.lowerBound).toBe(-0.2799999999999998);
  });

  it('refuses a bootstrap without per-example losses, and an unknown mode', () => {
    expect(() => decideBoss({ rules: rules('bootstrap'), championDefences: 0, tasks: thresholdTasks([0.5]) })).toThrow(/per-example/);
    expect(() => decideBoss({ rules: rules('coin' as BossGateMode), championDefences: 0, tasks: thresholdTasks([0.5]) })).toThrow(/mode/);
  });
});
