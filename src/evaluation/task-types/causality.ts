import { createHash } from 'node:crypto';
import { SplitMix64 } from '../../scoring/prng';

/**
 * The causality check of sequence-scoring task types (`crucible-causal/3`).
 *
 * A causal model's logits at position p are a function of tokens 0..p only. A model that reads the
 * token it is asked to predict (or any later one) scores near zero loss without learning anything,
 * so every evaluation re-runs a seeded sample of its own test sequences with everything after a
 * random cut replaced by natural text (the same positions of another test sequence), and requires
 * the log-probabilities at every position up to the cut to equal those of the scoring pass.
 *
 * Why the model cannot tell the check apart from the real evaluation: the comparison is between
 * the scoring pass itself and the spliced pass, and the prefix up to the cut is identical in both.
 * A causal model sees exactly the same input at those positions in both passes; any difference at
 * them can only come from tokens after the cut (or from outside the sequence, which is just as
 * forbidden). Spliced sequences have the test sequences' length and run in the same batches as
 * the scoring rows (passLayout), so shapes give nothing away either; a model that behaves
 * differently when it suspects a check is caught by the very difference it makes. What it must not
 * find in the spliced row's batch is the original's continuation: the original is never in that
 * batch, and donors are never sampled sequences (a spliced row with a sampled sequence's tail
 * would hand that tail to a model that copies tokens across rows).
 *
 * Limits (documented in src/evaluation/README.md): a spliced pass tests the positions up to its cut
 * against a change of the tokens after it, so a model that looks ahead at only a fraction q of the
 * scored positions (the cuts are drawn over those) passes one evaluation with probability about
 * (1 - q)^checks. Logits must be a
 * deterministic function of the input (random operators fail the check).
 */
export const CAUSALITY_METHOD = 'crucible-causal/3';

/**
 * Methods an auditor can re-derive. `crucible-causal/1` (sealed before /2): a quarter of the test
 * sequences (at least 64), donors from all other test sequences, spliced rows after the scoring
 * rows in batches of their own. `crucible-causal/2` (sealed before /3): as /3, but every cut uniform
 * over all positions, also where a task type scores only some of them (instruct, preference).
 */
export type CausalityMethod = 'crucible-causal/1' | 'crucible-causal/2' | 'crucible-causal/3';
export const CAUSALITY_METHODS: readonly CausalityMethod[] = ['crucible-causal/1', 'crucible-causal/2', 'crucible-causal/3'];

export function isCausalityMethod(value: unknown): value is CausalityMethod {
  return CAUSALITY_METHODS.includes(value as CausalityMethod);
}

/**
 * Largest |log p(token) difference| (nats) allowed between the scoring pass and a spliced pass at a
 * position before the cut. On CPU onnxruntime computes each row with the same kernels whatever the
 * batch holds (measured difference: 0 on the honest example miners and the baselines); the margin
 * covers accelerators whose kernels pick other algorithms per batch shape. A look-ahead signal
 * hidden below it is worth at most this much loss per position.
 */
export const CAUSALITY_TOLERANCE = 1e-4;

/**
 * Spliced sequences per evaluation (`crucible-causal/2`): a fixed number, since how likely a
 * look-ahead escapes depends on the number of checks, not on the size of the test set (README,
 * "Causality check"); at most half the test sequences, so donors come from the other half.
 */
export const CAUSALITY_CHECKS = 64;

/** One spliced sequence: `example`'s tokens 0..cut, then `donor`'s tokens cut+1..end (indices in split order). */
export interface CausalityCheck {
  example: number;
  cut: number;
  donor: number;
}

export interface CausalityEvidence {
  method: CausalityMethod;
  tolerance: number;
  /** The seeded sample, re-derivable from the revealed task seed and the model's sha256. */
  checks: CausalityCheck[];
  /** Largest |Δ log p| seen over all checked positions (0 for an exactly causal model on CPU). */
  maxDeviation: number;
}

export interface CausalityViolation {
  method: CausalityMethod;
  /** Test example (index in the hidden split's order) and the position whose logits changed. */
  example: number;
  position: number;
  cut: number;
  donor: number;
  deviation: number;
  tolerance: number;
}

/**
 * The sample's seed: the first 8 bytes (big-endian) of
 * sha256(utf8(method) || 0x00 || utf8(task seed) || 0x00 || utf8(model sha256 hex)).
 * The task seed is secret until the reveal, so a miner cannot know which positions are checked.
 */
export function causalitySeed(taskSeed: string, modelSha256: string, method: CausalityMethod = CAUSALITY_METHOD): string {
  const digest = createHash('sha256').update(`${method}\0${taskSeed}\0${modelSha256}`, 'utf8').digest();
  return `0x${digest.subarray(0, 8).toString('hex')}`;
}

/** /2 and /3: min(64, floor(count / 2)); /1: min(count, max(64, ceil(count / 4))). */
export function causalityCheckCount(count: number, method: CausalityMethod = CAUSALITY_METHOD): number {
  if (method === 'crucible-causal/1') return Math.min(count, Math.max(64, Math.ceil(count / 4)));
  return Math.min(CAUSALITY_CHECKS, Math.floor(count / 2));
}

/**
 * Which target tokens of each sequence count in the loss: tokens starts[i]..ends[i]-1 of sequence i
 * (1 <= starts[i] < ends[i] <= seqLen), predicted at positions starts[i]-1..ends[i]-2.
 */
export interface ScoredTokens {
  starts: Uint32Array;
  ends: Uint32Array;
}

/**
 * The sample, from SplitMix64 seeded with `seed`: a partial Fisher-Yates draw of
 * k = causalityCheckCount(count) distinct examples (for i = 0..k-1, j = i + nextBelow(count - i),
 * swap order[i] and order[j]); then per drawn example, in draw order: a cut, and a donor, redrawn up
 * to 7 more times while the donor's token at cut + 1 equals the example's (so the first replaced
 * token differs). /3 draws the cut over the positions whose target is scored:
 * cut = starts[e] - 1 + nextBelow(ends[e] - starts[e]) with `scored`, nextBelow(seqLen - 1) without
 * (every position scored: causal-lm); /2 and /1 drew cut = nextBelow(seqLen - 1) whatever was scored.
 * /2 and /3 draw the donor from the examples not drawn, order[k + nextBelow(count - k)]; /1 drew it
 * from all other examples (nextBelow(count - 1), skipping the example itself).
 */
export function planCausalityChecks(tokens: Uint8Array, count: number, seqLen: number, seed: string, method: CausalityMethod = CAUSALITY_METHOD, scored?: ScoredTokens): CausalityCheck[] {
  if (count < 2 || seqLen < 2) return [];
  const rng = new SplitMix64(BigInt(seed));
  const order = Array.from({ length: count }, (_, i) => i);
  const k = causalityCheckCount(count, method);
  for (let i = 0; i < k; i += 1) {
    const j = i + rng.nextBelow(count - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const drawDonor = (example: number): number => {
    if (method !== 'crucible-causal/1') return order[k + rng.nextBelow(count - k)];
    const d = rng.nextBelow(count - 1);
    return d >= example ? d + 1 : d;
  };
  return order.slice(0, k).map((example) => {
    const cut = method === 'crucible-causal/3' && scored ? scored.starts[example] - 1 + rng.nextBelow(scored.ends[example] - scored.starts[example]) : rng.nextBelow(seqLen - 1);
    const next = tokens[example * seqLen + cut + 1];
    let donor = example;
    for (let tries = 0; tries < 8; tries += 1) {
      donor = drawDonor(example);
      if (tokens[donor * seqLen + cut + 1] !== next) break;
    }
    return { example, cut, donor };
  });
}

/** One row of a batch: a test sequence as it is (scored) or a check's spliced sequence. */
export type PassRow = { example: number } | { check: number };

/**
 * The batches of one evaluation: the test sequences in order, then the spliced sequences in
 * ascending order of their example, `batchSize` rows a batch, so a check's row runs in a batch of
 * the same shape as a scoring batch and after its original (whose log-probabilities it is compared
 * with). The last batch of test sequences is topped up with spliced rows whose originals are not
 * in it (a row in the same batch as its original could copy the original's tail); the rest follow.
 */
export function passLayout(count: number, checks: readonly CausalityCheck[], batchSize: number): PassRow[][] {
  const batches: PassRow[][] = [];
  for (let start = 0; start < count; start += batchSize) {
    batches.push(Array.from({ length: Math.min(batchSize, count - start) }, (_, b) => ({ example: start + b })));
  }
  const pending = checks.map((c, i) => ({ example: c.example, check: i })).sort((a, b) => a.example - b.example);
  const last = batches[batches.length - 1];
  const lastStart = count - (last?.length ?? 0);
  while (last && last.length < batchSize && pending.length > 0 && pending[0].example < lastStart) last.push({ check: (pending.shift() as { check: number }).check });
  for (let from = 0; from < pending.length; from += batchSize) batches.push(pending.slice(from, from + batchSize).map((p) => ({ check: p.check })));
  return batches;
}

/** Writes the spliced sequence of `check` into `out` (length seqLen). */
export function splicedSequence(tokens: Uint8Array, seqLen: number, check: CausalityCheck, out: Uint8Array): void {
  out.set(tokens.subarray(check.example * seqLen, check.example * seqLen + check.cut + 1), 0);
  out.set(tokens.subarray(check.donor * seqLen + check.cut + 1, (check.donor + 1) * seqLen), check.cut + 1);
}

/**
 * How a re-evaluation's causality evidence differs from the recorded one, or null when the sample
 * and the largest deviation are the same (or nothing was recorded). A recorded method this version
 * cannot re-derive is named as such.
 */
export function causalityDifference(recorded: CausalityEvidence | null, again: CausalityEvidence | null): string | null {
  if (recorded === null) return null;
  if (!isCausalityMethod(recorded.method)) return `causality.method: recorded ${JSON.stringify(recorded.method)}, which this version cannot re-derive (known: ${CAUSALITY_METHODS.join(', ')})`;
  if (again === null) return `causality: recorded ${recorded.method} with ${recorded.checks.length} checks, the re-evaluation ran none`;
  if (again.method !== recorded.method) return `causality.method: recorded ${recorded.method}, re-evaluated ${again.method}`;
  if (again.checks.length !== recorded.checks.length) return `causality.checks: recorded ${recorded.checks.length}, re-derived ${again.checks.length}`;
  const same = (a: CausalityCheck, b: CausalityCheck): boolean => a.example === b.example && a.cut === b.cut && a.donor === b.donor;
  const i = recorded.checks.findIndex((c, k) => !same(c, again.checks[k]));
  if (i >= 0) return `causality.checks[${i}]: recorded ${JSON.stringify(recorded.checks[i])}, re-derived ${JSON.stringify(again.checks[i])}`;
  if (!Object.is(recorded.maxDeviation, again.maxDeviation)) return `causality.maxDeviation: recorded ${recorded.maxDeviation}, re-evaluated ${again.maxDeviation}`;
  return null;
}

/** Largest difference between two rows of `width` values (positions of the original and the spliced pass). */
export type RowDeviation = (a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, width: number) => number;

/**
 * Compares every spliced row with its original's scoring row at the positions up to its cut. The
 * scoring pass keeps each sampled example's rows (keep), each spliced row is compared when its
 * batch has run (compare); the reported violation is the one of the lowest example, then position,
 * whatever the order the batches ran in.
 */
export class CausalityComparison {
  private readonly checkOf: Map<number, CausalityCheck>;
  private readonly kept = new Map<number, Float32Array>();
  private maxDeviation = 0;
  private violationFound: CausalityViolation | null = null;

  constructor(
    readonly method: CausalityMethod,
    readonly checks: CausalityCheck[],
    private readonly width: number,
    private readonly deviation: RowDeviation,
  ) {
    this.checkOf = new Map(checks.map((c) => [c.example, c]));
  }

  /** Keeps a scoring row's positions 0..cut when its example is sampled; `offset` is where its position 0 starts. */
  keep(example: number, values: Float32Array, offset: number): void {
    const check = this.checkOf.get(example);
    if (check) this.kept.set(example, values.slice(offset, offset + (check.cut + 1) * this.width));
  }

  isSampled(example: number): boolean {
    return this.checkOf.has(example);
  }

  /** Compares check `index`'s spliced row (position 0 at `offset`) with its kept original. */
  compare(index: number, values: Float32Array, offset: number): void {
    const check = this.checks[index];
    const original = this.kept.get(check.example);
    if (!original) throw new Error(`causality check ${index} ran before its original, example ${check.example}`);
    for (let t = 0; t <= check.cut; t += 1) {
      const deviation = this.deviation(original, t * this.width, values, offset + t * this.width, this.width);
      if (deviation > this.maxDeviation || Number.isNaN(deviation)) this.maxDeviation = deviation;
      const v = this.violationFound;
      if (deviation > CAUSALITY_TOLERANCE && (v === null || check.example < v.example || (check.example === v.example && t < v.position))) {
        this.violationFound = { method: this.method, example: check.example, position: t, cut: check.cut, donor: check.donor, deviation, tolerance: CAUSALITY_TOLERANCE };
      }
    }
  }

  get violation(): CausalityViolation | null {
    return this.violationFound;
  }

  evidence(): CausalityEvidence {
    return { method: this.method, tolerance: CAUSALITY_TOLERANCE, checks: this.checks, maxDeviation: this.maxDeviation };
  }
}

/**
 * Largest |difference| between two rows of log-probabilities. Non-finite values count as an
 * infinite difference unless both are the same non-finite value.
 */
export function valueDeviation(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, width: number): number {
  let worst = 0;
  for (let j = 0; j < width; j += 1) {
    const x = a[aOffset + j];
    const y = b[bOffset + j];
    if (x === y) continue;
    const d = Math.abs(x - y);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

/**
 * Largest |log-softmax difference| between two rows of logits, in float64. Non-finite values count
 * as an infinite difference unless both are the same non-finite value.
 */
export function logProbDeviation(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, width: number): number {
  const lseA = logSumExp(a, aOffset, width);
  const lseB = logSumExp(b, bOffset, width);
  let worst = 0;
  for (let j = 0; j < width; j += 1) {
    const x = a[aOffset + j] - lseA;
    const y = b[bOffset + j] - lseB;
    if (x === y) continue;
    const d = Math.abs(x - y);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

function logSumExp(row: Float32Array, offset: number, width: number): number {
  let max = -Infinity;
  for (let j = 0; j < width; j += 1) if (row[offset + j] > max) max = row[offset + j];
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (let j = 0; j < width; j += 1) sum += Math.exp(row[offset + j] - max);
  return max + Math.log(sum);
}
