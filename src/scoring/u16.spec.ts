import { convertWeightsAndUidsForEmit, roundHalfToEven } from './u16';

// Expected vectors were produced by the SDK's algorithm in CPython (round() is half-to-even).
describe('roundHalfToEven', () => {
  it('rounds exact halves to the even neighbour, like Python round()', () => {
    expect([0.5, 1.5, 2.5, 3.5, 32767.5, -0.5, -1.5].map(roundHalfToEven)).toEqual([0, 2, 2, 4, 32768, 0, -2]);
    expect([0.49999999999999994, 2.5000000000000004, 1.2, 1.7].map(roundHalfToEven)).toEqual([0, 3, 1, 2]);
  });
});

describe('convertWeightsAndUidsForEmit', () => {
  it('max-upscales and rounds half to even; halves that round to 0 are dropped', () => {
    // max = 131070: w/max*65535 = w/2 exactly -> 0.5, 1.5, 2.5, 3.5 -> 0, 2, 2, 4
    expect(convertWeightsAndUidsForEmit([0, 1, 2, 3, 4, 5], [131070, 1, 3, 5, 7, 0])).toEqual({
      uids: [0, 2, 3, 4],
      weights: [65535, 2, 2, 4],
    });
  });

  it('matches the SDK on ordinary vectors and keeps input order', () => {
    expect(convertWeightsAndUidsForEmit([7, 3, 9], [0.1, 0.2, 0.7])).toEqual({ uids: [7, 3, 9], weights: [9362, 18724, 65535] });
    expect(convertWeightsAndUidsForEmit([1, 2, 3, 4], [0.2, 0.1, 0.05, 0.65])).toEqual({
      uids: [1, 2, 3, 4],
      weights: [20165, 10082, 5041, 65535],
    });
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0.3, 0, 0.7])).toEqual({ uids: [0, 2], weights: [28086, 65535] });
  });

  it('float32 mode matches a numpy float32 input', () => {
    expect(convertWeightsAndUidsForEmit([0, 1, 2], [0.1, 0.2, 0.7], { float32: true }).weights).toEqual([9362, 18724, 65535]);
    expect(convertWeightsAndUidsForEmit([0, 1], [1e-6, 1], { float32: true })).toEqual({ uids: [1], weights: [65535] });
  });

  it('all zeros -> nothing to set', () => {
    expect(convertWeightsAndUidsForEmit([0, 1], [0, 0])).toEqual({ uids: [], weights: [] });
  });

  it('refuses what the SDK refuses, and what the chain cannot take', () => {
    expect(() => convertWeightsAndUidsForEmit([0, 1], [0.5, -0.1])).toThrow(/weight is negative/);
    expect(() => convertWeightsAndUidsForEmit([0, -1], [0.5, 0.5])).toThrow(/uid is negative/);
    expect(() => convertWeightsAndUidsForEmit([0, 1, 2], [0.5, 0.5])).toThrow(/same length, got 3 and 2/);
    expect(() => convertWeightsAndUidsForEmit([], [])).toThrow(/no uids/);
    expect(() => convertWeightsAndUidsForEmit([0, 1], [Number.NaN, 1])).toThrow(/not finite/);
    expect(() => convertWeightsAndUidsForEmit([0, 65536], [1, 1])).toThrow(/u16/);
    expect(() => convertWeightsAndUidsForEmit([0.5, 1], [1, 1])).toThrow(/not an integer/);
  });
});
