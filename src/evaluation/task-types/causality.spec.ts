import { type CausalityEvidence, causalityCheckCount, causalityDifference, causalitySeed, logProbDeviation, passLayout, planCausalityChecks, splicedSequence } from './causality';

describe('causality check plan', () => {
  const seqLen = 8;
  const count = 300;
  // Example i is eight copies of byte i % 251, so every donor differs from its example everywhere.
  const tokens = Uint8Array.from({ length: count * seqLen }, (_, j) => Math.floor(j / seqLen) % 251);

  it('samples 64 examples, at most half of them (crucible-causal/2 and /3); /1 sampled a quarter, at least 64, at most all', () => {
    expect(causalityCheckCount(300)).toBe(64);
    expect(causalityCheckCount(1000)).toBe(64);
    expect(causalityCheckCount(100)).toBe(50);
    expect(causalityCheckCount(41)).toBe(20);
    expect(causalityCheckCount(1)).toBe(0);
    expect(causalityCheckCount(300, 'crucible-causal/1')).toBe(75);
    expect(causalityCheckCount(100, 'crucible-causal/1')).toBe(64);
    expect(causalityCheckCount(40, 'crucible-causal/1')).toBe(40);
    expect(causalityCheckCount(1000, 'crucible-causal/1')).toBe(250);
  });

  it('draws distinct examples, cuts before the last position and donors that are not sampled', () => {
    const checks = planCausalityChecks(tokens, count, seqLen, '0x0123456789abcdef');
    expect(checks).toHaveLength(64);
    const sampled = new Set(checks.map((c) => c.example));
    expect(sampled.size).toBe(64);
    for (const c of checks) {
      expect(c.cut).toBeGreaterThanOrEqual(0);
      expect(c.cut).toBeLessThanOrEqual(seqLen - 2);
      expect(sampled.has(c.donor)).toBe(false);
      expect(c.donor).toBeLessThan(count);
    }
  });

  it('crucible-causal/1 still draws its sample: 75 of 300, donors any other example', () => {
    const checks = planCausalityChecks(tokens, count, seqLen, '0x0123456789abcdef', 'crucible-causal/1');
    expect(checks).toHaveLength(75);
    for (const c of checks) expect(c.donor).not.toBe(c.example);
    expect(causalitySeed('s', 'm', 'crucible-causal/1')).not.toBe(causalitySeed('s', 'm'));
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

  it('whole /2 plan of 4 examples worked by hand from the first six SplitMix64(0) outputs', () => {
    // Outputs: 16294208416658607535, 7960286522194355700, 487617019471545679, 17909611376780542444,
    // 1961750202426094747, 6038094601263162090. k = min(64, floor(4 / 2)) = 2.
    // i = 0: j = 0 + out1 mod 4 = 3, order [3, 1, 2, 0]; i = 1: j = 1 + out2 mod 3 = 1 + 0, no swap.
    // Sampled 3 and 1; donors from order[2..] = [2, 0].
    // Example 3: cut = out3 mod 7 = 2, donor = order[2 + out4 mod 2] = order[2] = 2 (byte 2 != byte 3).
    // Example 1: cut = out5 mod 7 = 2, donor = order[2 + out6 mod 2] = order[2] = 2.
    expect(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/2')).toEqual([
      { example: 3, cut: 2, donor: 2 },
      { example: 1, cut: 2, donor: 2 },
    ]);
    // /3 without scored tokens (causal-lm: every position scored) draws the same cuts.
    expect(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/3')).toEqual(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/2'));
  });

  it('/3 draws each cut over the positions whose target is scored (worked by hand from the same outputs)', () => {
    // Scored targets: example 1 tokens 2..6 (positions 1..5), example 3 tokens 5..7 (positions 4..6).
    // Example 3: cut = 5 - 1 + out3 mod (8 - 5) = 4 + 487617019471545679 mod 3 = 4 + 1 = 5; donor order[2].
    // Example 1: cut = 2 - 1 + out5 mod (7 - 2) = 1 + 1961750202426094747 mod 5 = 1 + 2 = 3; donor order[2].
    const scored = { starts: Uint32Array.from([1, 2, 1, 5]), ends: Uint32Array.from([8, 7, 8, 8]) };
    expect(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/3', scored)).toEqual([
      { example: 3, cut: 5, donor: 2 },
      { example: 1, cut: 3, donor: 2 },
    ]);
    // /2 ignores what is scored: its sealed samples re-derive as they were drawn.
    expect(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/2', scored)).toEqual(planCausalityChecks(tokens, 4, seqLen, '0x0', 'crucible-causal/2'));
  });

  it('/3 with a single scored target per sequence always cuts just before it', () => {
    const starts = Uint32Array.from({ length: count }, (_, i) => 1 + (i % 7));
    const checks = planCausalityChecks(tokens, count, seqLen, '0x0123456789abcdef', 'crucible-causal/3', { starts, ends: starts.map((s) => s + 1) });
    expect(checks).toHaveLength(64);
    for (const c of checks) expect(c.cut).toBe(c.example % 7);
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

describe('passLayout', () => {
  const check = (example: number) => ({ example, cut: 0, donor: 0 });
  const show = (batches: ReturnType<typeof passLayout>): string[][] => batches.map((b) => b.map((r) => ('check' in r ? `c${r.check}` : `e${r.example}`)));

  it('tops up the last scoring batch with checks of earlier batches, in example order, and runs the rest after (worked by hand)', () => {
    // 10 examples in batches of 4: [0-3], [4-7], [8, 9] with room for 2. Checks 0, 1, 2 are on
    // examples 9, 1, 5: sorted by example 1 (c1), 5 (c2), 9 (c0); c1 and c2 fill the last batch,
    // c0 (its original, 9, is in that batch) runs alone after it.
    expect(show(passLayout(10, [check(9), check(1), check(5)], 4))).toEqual([
      ['e0', 'e1', 'e2', 'e3'],
      ['e4', 'e5', 'e6', 'e7'],
      ['e8', 'e9', 'c1', 'c2'],
      ['c0'],
    ]);
  });

  it('never puts a check in its original\'s batch, even when every example is in one batch', () => {
    expect(show(passLayout(3, [check(0), check(2)], 4))).toEqual([['e0', 'e1', 'e2'], ['c0', 'c1']]);
  });

  it('runs every check after its original and never beside it', () => {
    const count = 300;
    const tokens = Uint8Array.from({ length: count * 8 }, (_, j) => Math.floor(j / 8) % 251);
    const checks = planCausalityChecks(tokens, count, 8, '0x5eed');
    const batches = passLayout(count, checks, 128);
    const batchOf = new Map<string, number>();
    batches.forEach((rows, k) => rows.forEach((r) => batchOf.set('check' in r ? `c${r.check}` : `e${r.example}`, k)));
    expect(batches.every((rows) => rows.length <= 128)).toBe(true);
    expect(batchOf.size).toBe(count + checks.length);
    checks.forEach((c, i) => expect(batchOf.get(`c${i}`)).toBeGreaterThan(batchOf.get(`e${c.example}`) as number));
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

describe('causalityDifference (auditor re-run against the recorded evidence)', () => {
  const evidence = (over: Partial<CausalityEvidence> = {}): CausalityEvidence => ({
    method: 'crucible-causal/2',
    tolerance: 1e-4,
    checks: [
      { example: 3, cut: 2, donor: 2 },
      { example: 1, cut: 2, donor: 2 },
    ],
    maxDeviation: 0,
    ...over,
  });

  it('is null for the same sample and deviation, and when nothing was recorded', () => {
    expect(causalityDifference(evidence(), evidence())).toBeNull();
    expect(causalityDifference(null, evidence())).toBeNull();
  });

  it('names the first differing check, the count, the deviation or the method', () => {
    expect(causalityDifference(evidence(), evidence({ checks: [{ example: 3, cut: 2, donor: 2 }, { example: 1, cut: 5, donor: 2 }] }))).toBe(
      'causality.checks[1]: recorded {"example":1,"cut":2,"donor":2}, re-derived {"example":1,"cut":5,"donor":2}',
    );
    expect(causalityDifference(evidence(), evidence({ checks: [] }))).toBe('causality.checks: recorded 2, re-derived 0');
    expect(causalityDifference(evidence(), evidence({ maxDeviation: 1e-7 }))).toBe('causality.maxDeviation: recorded 0, re-evaluated 1e-7');
    expect(causalityDifference(evidence(), null)).toBe('causality: recorded crucible-causal/2 with 2 checks, the re-evaluation ran none');
  });

  it('refuses a method this version does not know', () => {
    const unknown = { ...evidence(), method: 'crucible-causal/9' } as unknown as CausalityEvidence;
    expect(causalityDifference(unknown, evidence())).toBe('causality.method: recorded "crucible-causal/9", which this version cannot re-derive (known: crucible-causal/1, crucible-causal/2, crucible-causal/3)');
  });
});
