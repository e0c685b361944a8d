import { createHash } from 'node:crypto';
import { SplitMix64 } from '../../scoring/prng';

/**
 * The causality check of sequence-scoring task types (`crucible-causal/1`).
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
 * forbidden). Spliced sequences have the scoring pass's length and batch size, so shapes give
 * nothing away either; a model that behaves differently when it suspects a check is caught by the
 * very difference it makes.
 *
 * Limits (documented in src/evaluation/README.md): a spliced pass tests the positions up to its cut
 * against a change of the tokens after it, so a model that looks ahead at only a fraction q of
 * positions passes one evaluation with probability about (1 - q)^checks. Logits must be a
 * deterministic function of the input (random operators fail the check).
 */
export const CAUSALITY_METHOD = 'crucible-causal/1';

/**
 * Largest |log p(token) difference| (nats) allowed between the scoring pass and a spliced pass at a
 * position before the cut. On CPU onnxruntime computes each row with the same kernels whatever the
 * batch holds (measured difference: 0 on the honest example miners and the baselines); the margin
 * covers accelerators whose kernels pick other algorithms per batch shape. A look-ahead signal
 * hidden below it is worth at most this much loss per position.
 */
export const CAUSALITY_TOLERANCE = 1e-4;

/** Share of test sequences re-run spliced (at least 64, at most all of them). */
export const CAUSALITY_SAMPLE_FRACTION = 0.25;
export const CAUSALITY_MIN_CHECKS = 64;

/** One spliced sequence: `example`'s tokens 0..cut, then `donor`'s tokens cut+1..end (indices in split order). */
export interface CausalityCheck {
  example: number;
  cut: number;
  donor: number;
}

export interface CausalityEvidence {
  method: typeof CAUSALITY_METHOD;
  tolerance: number;
  /** The seeded sample, re-derivable from the revealed task seed and the model's sha256. */
  checks: CausalityCheck[];
  /** Largest |Δ log p| seen over all checked positions (0 for an exactly causal model on CPU). */
  maxDeviation: number;
}

export interface CausalityViolation {
  method: typeof CAUSALITY_METHOD;
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
 * sha256(utf8("crucible-causal/1") || 0x00 || utf8(task seed) || 0x00 || utf8(model sha256 hex)).
 * The task seed is secret until the reveal, so a miner cannot know which positions are checked.
 */
export function causalitySeed(taskSeed: string, modelSha256: string): string {
  const digest = createHash('sha256').update(`${CAUSALITY_METHOD}\0${taskSeed}\0${modelSha256}`, 'utf8').digest();
  return `0x${digest.subarray(0, 8).toString('hex')}`;
}

export function causalityCheckCount(count: number): number {
  return Math.min(count, Math.max(CAUSALITY_MIN_CHECKS, Math.ceil(count * CAUSALITY_SAMPLE_FRACTION)));
}

/**
 * The sample, from SplitMix64 seeded with `seed`: a partial Fisher-Yates draw of
 * causalityCheckCount(count) distinct examples (for i = 0.., j = i + nextBelow(count - i), swap);
 * then per drawn example, in draw order: cut = nextBelow(seqLen - 1), and a donor drawn with
 * nextBelow(count - 1) over the other examples (skipping the example itself), redrawn up to 7 more
 * times while the donor's token at cut + 1 equals the example's, so the first replaced token differs.
 */
export function planCausalityChecks(tokens: Uint8Array, count: number, seqLen: number, seed: string): CausalityCheck[] {
  if (count < 2 || seqLen < 2) return [];
  const rng = new SplitMix64(BigInt(seed));
  const order = Array.from({ length: count }, (_, i) => i);
  const k = causalityCheckCount(count);
  for (let i = 0; i < k; i += 1) {
    const j = i + rng.nextBelow(count - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, k).map((example) => {
    const cut = rng.nextBelow(seqLen - 1);
    const next = tokens[example * seqLen + cut + 1];
    let donor = example;
    for (let tries = 0; tries < 8; tries += 1) {
      const d = rng.nextBelow(count - 1);
      donor = d >= example ? d + 1 : d;
      if (tokens[donor * seqLen + cut + 1] !== next) break;
    }
    return { example, cut, donor };
  });
}

/** Writes the spliced sequence of `check` into `out` (length seqLen). */
export function splicedSequence(tokens: Uint8Array, seqLen: number, check: CausalityCheck, out: Uint8Array | BigInt64Array): void {
  for (let t = 0; t < seqLen; t += 1) {
    const source = t <= check.cut ? check.example : check.donor;
    const v = tokens[source * seqLen + t];
    if (out instanceof BigInt64Array) out[t] = BigInt(v);
    else out[t] = v;
  }
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
