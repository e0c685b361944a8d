import { computeWeights } from './weights';

const uids = new Map([
  ['A', 1],
  ['B', 2],
  ['C', 3],
  ['D', 4],
]);

describe('computeWeights', () => {
  it('3 entrants, one type with the whole emission (hand-computed)', () => {
    // decay 0.3: raw 1, 0.3, 0.09 (sum 1.39). rank part = 1 * (1 - 0.001) = 0.999, floor 0.001 / 3 each.
    //   A = 0.999 * 1    / 1.39 + 0.001/3 = 0.718705036 + 0.000333333 = 0.719038369
    //   B = 0.999 * 0.3  / 1.39 + 0.001/3 = 0.215611511 + 0.000333333 = 0.215944844
    //   C = 0.999 * 0.09 / 1.39 + 0.001/3 = 0.064683453 + 0.000333333 = 0.065016787
    // pools sum to 1, so the burn uid 0 gets nothing and is dropped.
    const v = computeWeights({
      rules: { weightDecay: 0.3, pools: { text: 1 }, participationFloor: 0.001 },
      tournaments: [
        {
          tournamentType: 'text',
          standings: [
            { hotkey: 'A', completedValidRun: true },
            { hotkey: 'B', completedValidRun: true },
            { hotkey: 'C', completedValidRun: true },
          ],
        },
      ],
      hotkeyToUid: uids,
      burnUid: 0,
    });
    expect(v.uids).toEqual([1, 2, 3]);
    expect(v.weights[0]).toBeCloseTo(0.719038369, 8);
    expect(v.weights[1]).toBeCloseTo(0.215944844, 8);
    expect(v.weights[2]).toBeCloseTo(0.065016787, 8);
    expect(v.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('5 entrants over two types, a failed miner, an unmapped hotkey and the unpooled remainder (hand-computed)', () => {
    // pools text 0.6, image 0.3 -> 0.1 unpooled to burn uid 0. floor 0.001.
    // text: A, B (no valid run: skipped, gets nothing), C -> eligible A (rank 1), C (rank 2).
    //   raw 1, 0.3 (sum 1.3); rank part 0.6 * 0.999 = 0.5994; floor 0.0006 / 2 = 0.0003 each
    //   A = 0.5994 / 1.3 + 0.0003 = 0.461076923 + 0.0003 = 0.461376923
    //   C = 0.5994 * 0.3 / 1.3 + 0.0003 = 0.138323077 + 0.0003 = 0.138623077
    // image: C, D, E (E has no uid -> burned). raw 1, 0.3, 0.09 (sum 1.39); rank part 0.3 * 0.999 = 0.2997;
    //   floor 0.0003 / 3 = 0.0001 each
    //   C += 0.2997 / 1.39 + 0.0001 = 0.215611511 + 0.0001 = 0.215711511  -> C = 0.354334588
    //   D  = 0.2997 * 0.3 / 1.39 + 0.0001 = 0.064683453 + 0.0001 = 0.064783453
    //   E  = 0.2997 * 0.09 / 1.39 + 0.0001 = 0.019405036 + 0.0001 = 0.019505036 -> burn
    // burn uid 0 = 0.1 + 0.019505036 = 0.119505036. Total = 1.
    const v = computeWeights({
      rules: { weightDecay: 0.3, pools: { text: 0.6, image: 0.3 }, participationFloor: 0.001 },
      tournaments: [
        {
          tournamentType: 'text',
          standings: [
            { hotkey: 'A', completedValidRun: true },
            { hotkey: 'B', completedValidRun: false },
            { hotkey: 'C', completedValidRun: true },
          ],
        },
        {
          tournamentType: 'image',
          standings: [
            { hotkey: 'C', completedValidRun: true },
            { hotkey: 'D', completedValidRun: true },
            { hotkey: 'E', completedValidRun: true },
          ],
        },
      ],
      hotkeyToUid: uids,
      burnUid: 0,
    });
    expect(v.uids).toEqual([0, 1, 3, 4]);
    const expected = [0.119505036, 0.461376923, 0.354334588, 0.064783453];
    expected.forEach((e, i) => expect(v.weights[i]).toBeCloseTo(e, 8));
    expect(v.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(v.shares.filter((s) => s.hotkey === 'E').every((s) => s.burned && s.uid === 0)).toBe(true);
    expect(v.shares.some((s) => s.hotkey === 'B')).toBe(false);
  });

  it('a baseline champion (null hotkey) burns its share; a type without results burns its pool', () => {
    const v = computeWeights({
      rules: { weightDecay: 0.5, pools: { text: 0.5, image: 0.5 }, participationFloor: 0 },
      tournaments: [
        {
          tournamentType: 'text',
          standings: [
            { hotkey: null, completedValidRun: true },
            { hotkey: 'A', completedValidRun: true },
          ],
        },
      ],
      hotkeyToUid: uids,
      burnUid: 0,
    });
    // text: baseline 0.5 * 1/1.5 = 1/3 -> burn, A = 0.5 * 0.5/1.5 = 1/6; image 0.5 -> burn.
    expect(v.uids).toEqual([0, 1]);
    expect(v.weights[0]).toBeCloseTo(5 / 6, 12);
    expect(v.weights[1]).toBeCloseTo(1 / 6, 12);
  });

  it('is deterministic and refuses malformed input', () => {
    const input = {
      rules: { weightDecay: 0.3, pools: { text: 1 }, participationFloor: 0.001 },
      tournaments: [{ tournamentType: 'text', standings: [{ hotkey: 'A', completedValidRun: true }] }],
      hotkeyToUid: uids,
      burnUid: 0,
    };
    expect(computeWeights(input)).toEqual(computeWeights(input));
    expect(computeWeights(input)).toMatchObject({ uids: [1], weights: [1] });
    expect(() => computeWeights({ ...input, tournaments: [...input.tournaments, ...input.tournaments] })).toThrow(/two results/);
    expect(() => computeWeights({ ...input, tournaments: [{ tournamentType: 'audio', standings: [] }] })).toThrow(/no pool/);
    expect(() =>
      computeWeights({
        ...input,
        tournaments: [{ tournamentType: 'text', standings: [{ hotkey: 'A', completedValidRun: true }, { hotkey: 'A', completedValidRun: true }] }],
      }),
    ).toThrow(/twice/);
    expect(() => computeWeights({ ...input, burnUid: -1 })).toThrow(/u16/);
  });
});
