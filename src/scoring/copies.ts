/**
 * Copies inside a round: the earliest submission owns a result, a later entrant that reproduces it
 * gets no result for that task (as if its run had failed), with the finding recorded. Two checks:
 *   1. identical model file: the same artifact sha256 as an earlier entrant's model anywhere in the round;
 *   2. identical behaviour: on the same task, per-example losses correlated at or above
 *      `rules.correlation` (Pearson) with means equal within `rules.meanTolerance` (a model
 *      re-exported with another file hash still computes the same function).
 * (The third check, identical repository trees, happens at submission.)
 *
 * Pure: no Nest, TypeORM or IO imports. The live engine and the auditor both call findCopies.
 */
import { compareBySubmission } from './ranking';

export interface CopyRule {
  correlation: number;
  meanTolerance: number;
}

/** One scored result of a round. */
export interface CopyCandidate {
  taskId: string;
  entrantId: string;
  /** ms since the Unix epoch; the earlier submission owns a result. */
  submittedAt: number;
  modelSha256: string | null;
  metricValue: number;
  /** Per-example losses, in test-split order (null: behaviour not compared). */
  losses: Float64Array | null;
}

export type CopyFinding =
  | { taskId: string; entrantId: string; copyOf: string; kind: 'identical-model'; modelSha256: string }
  | { taskId: string; entrantId: string; copyOf: string; kind: 'identical-behaviour'; correlation: number; meanDifference: number };

export function findCopies(candidates: readonly CopyCandidate[], rules: CopyRule): CopyFinding[] {
  const order = [...candidates].sort(
    (a, b) => compareBySubmission({ submittedAt: a.submittedAt, entrantId: a.entrantId }, { submittedAt: b.submittedAt, entrantId: b.entrantId }) || a.taskId.localeCompare(b.taskId),
  );
  const findings: CopyFinding[] = [];
  const owners: CopyCandidate[] = [];
  for (const c of order) {
    const finding = firstMatch(c, owners, rules);
    if (finding) findings.push(finding);
    else owners.push(c);
  }
  return findings;
}

function firstMatch(c: CopyCandidate, owners: readonly CopyCandidate[], rules: CopyRule): CopyFinding | null {
  for (const o of owners) {
    if (o.entrantId === c.entrantId) continue;
    if (c.modelSha256 !== null && c.modelSha256 === o.modelSha256) {
      return { taskId: c.taskId, entrantId: c.entrantId, copyOf: o.entrantId, kind: 'identical-model', modelSha256: c.modelSha256 };
    }
    if (o.taskId !== c.taskId || !c.losses || !o.losses || c.losses.length !== o.losses.length || c.losses.length < 2) continue;
    const meanDifference = Math.abs(c.metricValue - o.metricValue);
    if (meanDifference > rules.meanTolerance) continue;
    const correlation = pearson(c.losses, o.losses);
    if (correlation >= rules.correlation) return { taskId: c.taskId, entrantId: c.entrantId, copyOf: o.entrantId, kind: 'identical-behaviour', correlation, meanDifference };
  }
  return null;
}

/** Pearson correlation in float64, summed in index order; two constant vectors correlate 1 when equal, else 0. */
export function pearson(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i += 1) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i += 1) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return sxx === syy && x.every((v, i) => v === y[i]) ? 1 : 0;
  return sxy / Math.sqrt(sxx * syy);
}
