/**
 * Float weights -> the u16 vectors `setWeights` takes, exactly as the Bittensor SDK's
 * `bittensor.utils.weight_utils.convert_weights_and_uids_for_emit` does it:
 *   1. refuse a negative weight, a negative uid, or lengths that differ (in that order);
 *   2. all weights zero -> nothing to set ([], []);
 *   3. max-upscale: w / max(w) in double precision;
 *   4. round(w * 65535) with Python's round (half to even);
 *   5. drop the entries that rounded to 0, keep the input order otherwise.
 * Extra refusals, for inputs the SDK would mishandle or the chain would reject anyway: an empty
 * input (Python raises on min([])), NaN/Infinity, a uid that is not an integer in [0, 65535].
 * `float32: true` first rounds every weight to float32, which is what the SDK sees when a
 * validator passes a numpy float32 array (the common case); the default treats them as doubles.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */

export const U16_MAX = 65535;

export interface EmitVectors {
  uids: number[];
  weights: number[];
}

/** Python 3's round(x) for a double: nearest integer, exact halves to the even neighbour. */
export function roundHalfToEven(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round ${x}`);
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export function convertWeightsAndUidsForEmit(
  uids: readonly number[],
  weights: readonly number[],
  options: { float32?: boolean } = {},
): EmitVectors {
  if (weights.length === 0 || uids.length === 0) throw new RangeError('no uids or weights to convert');
  const ws = options.float32 ? weights.map((w) => Math.fround(w)) : weights.slice();
  for (const w of ws) if (!Number.isFinite(w)) throw new RangeError(`Passed weight is not finite ${String(w)}`);
  for (const u of uids) {
    if (!Number.isInteger(u)) throw new RangeError(`Passed uid is not an integer ${String(u)}`);
  }
  if (Math.min(...ws) < 0) throw new RangeError(`Passed weight is negative cannot exist on chain [${ws.join(', ')}]`);
  if (Math.min(...uids) < 0) throw new RangeError(`Passed uid is negative cannot exist on chain [${uids.join(', ')}]`);
  if (uids.length !== ws.length) {
    throw new RangeError(`Passed weights and uids must have the same length, got ${uids.length} and ${ws.length}`);
  }
  if (Math.max(...uids) > U16_MAX) throw new RangeError(`Passed uid does not fit in u16 [${uids.join(', ')}]`);

  const max = Math.max(...ws);
  if (max === 0) return { uids: [], weights: [] };

  const out: EmitVectors = { uids: [], weights: [] };
  for (let i = 0; i < ws.length; i++) {
    const v = roundHalfToEven((ws[i] / max) * U16_MAX);
    if (v !== 0) {
      out.uids.push(uids[i]);
      out.weights.push(v);
    }
  }
  return out;
}
