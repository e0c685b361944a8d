/**
 * Tournament results -> one uid -> weight vector that sums to 1.
 *
 * For each tournament type (in the rulebook's pools, taken in sorted key order):
 *   - eligible = its standings (best first) keeping only miners that completed a valid run;
 *     the miner at position i (0-based) among them has rank i+1;
 *   - rank part  = pool * (1 - participationFloor), split in proportion to decay^(rank-1);
 *   - floor part = pool * participationFloor, split equally over the eligible miners;
 *   - a type with no result or no eligible miner sends its whole pool to the burn uid.
 * Then 1 - sum(pools) goes to the owner/burn uid, and so does every share whose hotkey is null (the
 * baseline, not a miner) or not in the hotkey -> uid map (deregistered). Shares are summed per uid
 * (one hotkey may win in several types), the vector is divided by its sum to absorb rounding, zeros
 * are dropped, and uids come out ascending. Every summation runs in a fixed order, so the result is
 * bit-for-bit reproducible.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */
import type { Rulebook } from './rulebook';

export type WeightRules = Pick<Rulebook, 'weightDecay' | 'pools' | 'participationFloor'>;

export interface WeightStanding {
  /** The miner's hotkey; null for a participant that is not a miner (the baseline champion). */
  hotkey: string | null;
  /** True when the miner finished at least one valid (scored) run in this tournament. */
  completedValidRun: boolean;
}

export interface TournamentWeightInput {
  tournamentType: string;
  /** The tournament's final ranking, best first (see ranking.ts tournamentRanking). */
  standings: readonly WeightStanding[];
}

export interface ComputeWeightsInput {
  rules: WeightRules;
  /** At most one (the latest finished) tournament per type. */
  tournaments: readonly TournamentWeightInput[];
  hotkeyToUid: ReadonlyMap<string, number>;
  /** Owner/burn uid: receives the unpooled remainder and every share nobody can take. */
  burnUid: number;
}

export type WeightShareKind = 'rank' | 'participation' | 'unpooled' | 'no_result';

/** One line of the explanation: who gets what, and why. */
export interface WeightShare {
  tournamentType: string | null;
  hotkey: string | null;
  uid: number;
  kind: WeightShareKind;
  /** 1-based rank among eligible miners, for 'rank' and 'participation' shares. */
  rank: number | null;
  /** Fraction of emission before the final normalisation. */
  weight: number;
  /** True when the share went to the burn uid (unpooled, no result, a null hotkey or one without a uid). */
  burned: boolean;
}

export interface WeightVector {
  /** Ascending, unique, no zero weights. */
  uids: number[];
  /** Same length as uids; sums to 1 (to floating-point rounding). */
  weights: number[];
  shares: WeightShare[];
}

function isUid(u: number): boolean {
  return Number.isInteger(u) && u >= 0 && u <= 65535;
}

export function computeWeights(input: ComputeWeightsInput): WeightVector {
  const { rules, burnUid, hotkeyToUid } = input;
  if (!isUid(burnUid)) throw new RangeError(`burn uid ${burnUid} is not a u16`);
  if (!(rules.weightDecay > 0 && rules.weightDecay <= 1)) throw new RangeError('weightDecay must be in (0, 1]');
  if (!(rules.participationFloor >= 0 && rules.participationFloor < 1)) {
    throw new RangeError('participationFloor must be in [0, 1)');
  }

  const byType = new Map<string, TournamentWeightInput>();
  for (const t of input.tournaments) {
    if (!(t.tournamentType in rules.pools)) throw new Error(`tournament type ${t.tournamentType} has no pool`);
    if (byType.has(t.tournamentType)) throw new Error(`two results for tournament type ${t.tournamentType}`);
    const seen = new Set<string>();
    for (const s of t.standings) {
      if (s.hotkey === null) continue;
      if (seen.has(s.hotkey)) throw new Error(`hotkey ${s.hotkey} ranked twice in ${t.tournamentType}`);
      seen.add(s.hotkey);
    }
    byType.set(t.tournamentType, t);
  }

  const shares: WeightShare[] = [];
  const give = (
    tournamentType: string | null,
    hotkey: string | null,
    kind: WeightShareKind,
    rank: number | null,
    weight: number,
  ): void => {
    const uid = hotkey === null ? undefined : hotkeyToUid.get(hotkey);
    if (uid !== undefined && !isUid(uid)) throw new RangeError(`uid ${uid} of ${hotkey} is not a u16`);
    const burned = uid === undefined;
    shares.push({ tournamentType, hotkey, uid: burned ? burnUid : uid, kind, rank, weight, burned });
  };

  let pooled = 0;
  for (const type of Object.keys(rules.pools).sort()) {
    const pool = rules.pools[type];
    if (!(pool >= 0 && pool <= 1)) throw new RangeError(`pool of ${type} must be in [0, 1]`);
    pooled += pool;
    if (pool === 0) continue;
    const eligible = (byType.get(type)?.standings ?? []).filter((s) => s.completedValidRun);
    if (eligible.length === 0) {
      give(type, null, 'no_result', null, pool);
      continue;
    }
    const decays = eligible.map((_, i) => rules.weightDecay ** i);
    const decaySum = decays.reduce((a, b) => a + b, 0);
    const rankPart = pool * (1 - rules.participationFloor);
    const floorEach = (pool * rules.participationFloor) / eligible.length;
    eligible.forEach((s, i) => {
      give(type, s.hotkey, 'rank', i + 1, (rankPart * decays[i]) / decaySum);
      if (floorEach > 0) give(type, s.hotkey, 'participation', i + 1, floorEach);
    });
  }
  if (pooled > 1 + 1e-12) throw new RangeError(`pools sum to ${pooled} > 1`);
  const unpooled = Math.max(0, 1 - pooled);
  if (unpooled > 0) give(null, null, 'unpooled', null, unpooled);

  const perUid = new Map<number, number>();
  for (const s of shares) perUid.set(s.uid, (perUid.get(s.uid) ?? 0) + s.weight);
  const uids = [...perUid.keys()].filter((u) => (perUid.get(u) ?? 0) > 0).sort((a, b) => a - b);
  const total = uids.reduce((acc, u) => acc + (perUid.get(u) ?? 0), 0);
  return { uids, weights: uids.map((u) => (perUid.get(u) ?? 0) / total), shares };
}
