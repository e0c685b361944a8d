import { CopyCandidate, findCopies, pearson } from './copies';

const rule = { correlation: 0.9999, meanTolerance: 1e-6 };
const f = (...v: number[]) => Float64Array.from(v);
const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
const candidate = (entrantId: string, submittedAt: number, taskId: string, modelSha256: string, losses: Float64Array): CopyCandidate => ({ entrantId, submittedAt, taskId, modelSha256, metricValue: mean(losses), losses });

describe('copies', () => {
  it('pearson, worked by hand', () => {
    expect(pearson(f(1, 2, 3), f(2, 4, 6))).toBeCloseTo(1, 15);
    expect(pearson(f(1, 2, 3), f(3, 2, 1))).toBeCloseTo(-1, 15);
    // dx = dy up to order: sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, sxx = syy = 5: 4 / 5.
    expect(pearson(f(1, 2, 3, 4), f(1, 3, 2, 4))).toBeCloseTo(0.8, 15);
    expect(pearson(f(2, 2), f(2, 2))).toBe(1);
    expect(pearson(f(2, 2), f(3, 3))).toBe(0);
  });

  it('the earlier submission owns an identical model file, on any task of the round', () => {
    const findings = findCopies([candidate('late', 2000, 'task-b', 'aa', f(1, 2)), candidate('early', 1000, 'task-a', 'aa', f(3, 1))], rule);
    expect(findings).toEqual([{ taskId: 'task-b', entrantId: 'late', copyOf: 'early', kind: 'identical-model', modelSha256: 'aa' }]);
  });

  it('catches the same behaviour under another file hash on the same task, and nothing else', () => {
    const original = f(2.1, 1.7, 3.3, 0.9, 2.2);
    const reexported = original.map((v) => v + 1e-9); // the same function, float noise
    const honest = f(2.0, 1.9, 3.1, 1.1, 2.3);
    const findings = findCopies(
      [candidate('a', 1, 't', 'h1', original), candidate('b', 2, 't', 'h2', Float64Array.from(reexported)), candidate('c', 3, 't', 'h3', honest)],
      rule,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ entrantId: 'b', copyOf: 'a', kind: 'identical-behaviour' });
    // Same losses on different tasks are not compared (different test sets).
    expect(findCopies([candidate('a', 1, 't1', 'h1', original), candidate('b', 2, 't2', 'h2', original)], rule)).toEqual([]);
    // Correlated but a different mean (a shifted model): not a copy.
    expect(findCopies([candidate('a', 1, 't', 'h1', original), candidate('b', 2, 't', 'h2', original.map((v) => v + 0.01))], rule)).toEqual([]);
  });

  it('a copy of a copy is a copy of the first owner', () => {
    const findings = findCopies([candidate('c', 3, 't', 'x', f(1, 2)), candidate('b', 2, 't', 'x', f(1, 2)), candidate('a', 1, 't', 'x', f(1, 2))], rule);
    expect(findings.map((x) => [x.entrantId, x.copyOf])).toEqual([
      ['b', 'a'],
      ['c', 'a'],
    ]);
  });
});
