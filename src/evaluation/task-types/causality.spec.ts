import { causalityCheckCount, causalitySeed, logProbDeviation, planCausalityChecks, splicedSequence } from './causality';

describe('causality check plan', () => {
  const seqLen = 8;
  const count = 300;
  // Example i is eight copies of byte i % 251, so every donor differs from its example everywhere.
  const tokens = Uint8Array.from({ length: count * seqLen }, (_, j) => Math.floor(j / seqLen) % 251);

  it('samples a quarter of the examples, at least 64, at most all', () => {
    expect(causalityCheckCount(300)).toBe(75);
    expect(causalityCheckCount(100)).toBe(64);
    expect(causalityCheckCount(40)).toBe(40);
    expect(causalityCheckCount(1000)).toBe(250);
  });

  it('draws distinct examples, cuts before the last position and a donor other than the example', () => {
    const checks = planCausalityChecks(tokens, count, seqLen, '0x0123456789abcdef');
    expect(checks).toHaveLength(75);
    expect(new Set(checks.map((c) => c.example)).size).toBe(75);
    for (const c of checks) {
      expect(c.cut).toBeGreaterThanOrEqual(0);
      expect(c.cut).toBeLessThanOrEqual(seqLen - 2);
      expect(c.donor).not.toBe(c.example);
      expect(c.donor).toBeLessThan(count);
    }
  });

  it('is a function of the seed alone, and the seed of the task seed and the model', () => {
    const a = planCausalityChecks(tokens, count, seqLen, causalitySeed('task seed', 'aa'.repeat(32)));
    expect(planCausalityChecks(tokens, count, seqLen, causalitySeed('task seed', 'aa'.repeat(32)))).toEqual(a);
    expect(planCausalityChecks(tokens, count, seqLen, causalitySeed('task seed', 'bb'.repeat(32)))).not.toEqual(a);
    expect(planCausalityChecks(tokens, count, seqLen, causalitySeed('other seed', 'aa'.repeat(32)))).not.toEqual(a);
    expect(causalitySeed('s', 'm')).toMatch(/^0x[0-9a-f]{16}$/);
  });

  it('first draw worked by hand: SplitMix64(0) gives 0xe220a8397b1dcdaf, so the first example is that mod 300', () => {
    // 0xe220a8397b1dcdaf = 16294208416658607535; 16294208416658607535 mod 300 = 235.
    const [first] = planCausalityChecks(tokens, count, seqLen, '0x0');
    expect(first.example).toBe(235);
  });

  it('keeps the example up to the cut and the donor after it', () => {
    const out = new Uint8Array(seqLen);
    splicedSequence(tokens, seqLen, { example: 3, cut: 2, donor: 7 }, out);
    expect([...out]).toEqual([3, 3, 3, 7, 7, 7, 7, 7]);
  });

  it('has no plan for a split with a single example', () => {
    expect(planCausalityChecks(tokens.subarray(0, seqLen), 1, seqLen, '0x1')).toEqual([]);
  });
});

describe('logProbDeviation', () => {
  const row = (...v: number[]): Float32Array => Float32Array.from(v);

  it('ignores a constant shift of the logits (same log-probabilities)', () => {
    expect(logProbDeviation(row(0, 0), 0, row(1, 1), 0, 2)).toBeLessThan(1e-15);
  });

  it('measures the largest log-probability difference (worked by hand)', () => {
    // a = [0, ln 3]: log-softmax [-ln 4, ln 3 - ln 4]; b = [0, 0]: [-ln 2, -ln 2].
    // |(-ln 4) - (-ln 2)| = ln 2 = 0.693147; |(ln 3 - ln 4) - (-ln 2)| = ln 1.5 = 0.405465; max = ln 2.
    expect(logProbDeviation(row(0, Math.log(3)), 0, row(0, 0), 0, 2)).toBeCloseTo(Math.LN2, 6);
  });

  it('treats NaN or a lost infinity as an infinite difference', () => {
    expect(logProbDeviation(row(0, NaN), 0, row(0, 0), 0, 2)).toBe(Infinity);
    expect(logProbDeviation(row(0, -Infinity), 0, row(0, 0), 0, 2)).toBe(Infinity);
  });

  it('reads rows at offsets', () => {
    expect(logProbDeviation(row(9, 9, 0, 0), 2, row(5, 5), 0, 2)).toBeLessThan(1e-15);
  });
});
