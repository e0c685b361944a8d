/**
 * The boss gate: does the last challenger take the title from the defending champion?
 *
 * Threshold. t = max(floor, base * decay^(wins - 1)), where `wins` is the number of consecutive
 * tournaments of this type the champion has won, counting the one in which it took the title:
 * wins = 1 + `defences` (ChampionRef.defences: successful title defences). A new champion, and the
 * configured baseline, have 0 defences, so t = base (0.10 by default); each defence multiplies it by
 * decay (0.8) down to the floor (0.03): a long reign gets easier to end, never free.
 *
 * Per task, with `mode`, for a loss (the task's metric direction 'lower', the default):
 *   - 'threshold': the challenger wins the task if challengerLoss <= championLoss * (1 - t);
 *   - 'bootstrap': paired bootstrap over the per-example losses (same examples, same order on both
 *     sides): the challenger wins the task if the lower confidence bound of the relative
 *     improvement 1 - mean(challenger) / mean(champion) is strictly greater than t;
 *   - 'both': both must hold.
 * For a reward (direction 'higher') the mirror image: the threshold test is
 * challenger >= champion * (1 + t) and the relative improvement is mean(challenger) / mean(champion) - 1.
 * A failed run loses its task; when both sides failed the champion keeps the task. The challenger
 * needs a strict majority of the tasks (more than half; 4 of 6).
 *
 * Bootstrap, exactly (so anyone can recompute it):
 *   - task i (0-based, in the order given: the boss round's task order) uses the generator
 *     xoshiro128** seeded with the (i+1)-th output of SplitMix64(rulebook.bootstrap.seed) (prng.ts);
 *   - for b = 0..samples-1: draw n indices in turn, idx = floor(u32 * n / 2^32), and add
 *     champion[idx] and challenger[idx] to two running double sums (in draw order);
 *     r_b = 1 - sumChallenger / sumChampion (when sumChampion <= 0: 0 if sumChallenger <= sumChampion,
 *     else -1); for a reward r_b = sumChallenger / sumChampion - 1 (when sumChampion <= 0: 0 if
 *     sumChallenger <= sumChampion, else 1);
 *   - sort r ascending; the lower bound is r[k] with k = min(samples - 1, floor(samples * (1 - confidence))).
 *   - the point estimate is the same ratio over the full sample.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */
import { BOSS_GATE_MODES, type BossGateMode, type Rulebook, type ThresholdRule } from './rulebook';
import { SplitMix64, Xoshiro128StarStar, parseSeed64 } from './prng';
import { METRIC_DIRECTIONS, type MetricDirection } from './ranking';

export type BossGateRules = Pick<Rulebook, 'version' | 'threshold' | 'bootstrap' | 'bossGate'>;

/** Threshold for a champion with `defences` successful defences (wins = defences + 1). */
export function progressiveThreshold(rule: ThresholdRule, defences: number): number {
  if (!Number.isInteger(defences) || defences < 0) throw new RangeError(`defences must be an integer >= 0, got ${defences}`);
  return Math.max(rule.floor, rule.base * rule.decay ** defences);
}

export interface BootstrapOptions {
  samples: number;
  confidence: number;
  seed: bigint;
  /** The task metric's direction (absent: 'lower', a loss). */
  direction?: MetricDirection;
}

export interface BootstrapResult {
  /** Relative improvement of the challenger over the full sample (positive = challenger better). */
  estimate: number;
  /** The (1 - confidence) quantile of the resampled relative improvements. */
  lowerBound: number;
}

function relativeImprovement(sumChampion: number, sumChallenger: number, direction: MetricDirection): number {
  if (direction === 'higher') {
    if (sumChampion > 0) return sumChallenger / sumChampion - 1;
    return sumChallenger <= sumChampion ? 0 : 1;
  }
  if (sumChampion > 0) return 1 - sumChallenger / sumChampion;
  return sumChallenger <= sumChampion ? 0 : -1;
}

/** Paired bootstrap of the relative improvement; see the file comment for the exact procedure. */
export function pairedBootstrap(champion: Float64Array, challenger: Float64Array, opts: BootstrapOptions): BootstrapResult {
  const n = champion.length;
  if (n !== challenger.length) throw new RangeError(`per-example losses differ in length: ${n} vs ${challenger.length}`);
  if (n === 0) throw new RangeError('no per-example losses');
  if (n > 2 ** 21) throw new RangeError(`too many examples for the bootstrap (${n} > 2^21)`);
  if (!Number.isInteger(opts.samples) || opts.samples < 1) throw new RangeError('samples must be an integer >= 1');
  const direction = opts.direction ?? 'lower';
  if (!METRIC_DIRECTIONS.includes(direction)) throw new RangeError(`unknown metric direction ${String(direction)}`);
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(champion[j]) || !Number.isFinite(challenger[j])) {
      throw new RangeError(`per-example loss ${j} is not finite`);
    }
  }

  let fullChampion = 0;
  let fullChallenger = 0;
  for (let j = 0; j < n; j++) {
    fullChampion += champion[j];
    fullChallenger += challenger[j];
  }

  const rng = new Xoshiro128StarStar(opts.seed);
  const r = new Float64Array(opts.samples);
  for (let b = 0; b < opts.samples; b++) {
    let sc = 0;
    let sx = 0;
    for (let j = 0; j < n; j++) {
      const idx = rng.nextBelow(n);
      sc += champion[idx];
      sx += challenger[idx];
    }
    r[b] = relativeImprovement(sc, sx, direction);
  }
  r.sort(); // Float64Array sorts numerically
  const k = Math.min(opts.samples - 1, Math.floor(opts.samples * (1 - opts.confidence)));
  return { estimate: relativeImprovement(fullChampion, fullChallenger, direction), lowerBound: r[k] };
}

/** Seeds of the boss tasks' bootstrap generators: outputs 1..count of SplitMix64(seed). */
export function bootstrapTaskSeeds(seedHex: string, count: number): bigint[] {
  const sm = new SplitMix64(parseSeed64(seedHex));
  return Array.from({ length: count }, () => sm.next());
}

export interface BossSide {
  /** The task metric (a mean loss, or a mean reward for direction 'higher'); null when the run failed. */
  loss: number | null;
  /** Per-example losses on the hidden test split (same examples and order on both sides). */
  perExample: Float64Array | null;
}

export interface BossTaskInput {
  taskId: string;
  /** The task metric's direction (absent: 'lower', a loss). */
  direction?: MetricDirection;
  champion: BossSide;
  challenger: BossSide;
}

export type BossTaskReason = 'beat_margin' | 'missed_margin' | 'challenger_failed' | 'champion_failed' | 'both_failed';

export interface BossTaskVerdict {
  taskIndex: number;
  taskId: string;
  championLoss: number | null;
  challengerLoss: number | null;
  /** The margin t the challenger had to beat. */
  threshold: number;
  /** The task metric's direction the margin was taken in. */
  direction: MetricDirection;
  /**
   * (championLoss - challengerLoss) / championLoss for a loss, (challenger - champion) / champion for a
   * reward; null when a side failed or the champion's value is <= 0.
   */
  relativeImprovement: number | null;
  /** null when the threshold test was not part of the mode or a side failed. */
  thresholdPassed: boolean | null;
  /** null when the bootstrap was not part of the mode or a side failed. */
  bootstrap: (BootstrapResult & { seed: string }) | null;
  bootstrapPassed: boolean | null;
  challengerWins: boolean;
  reason: BossTaskReason;
}

export interface BossVerdict {
  rulebookVersion: string;
  mode: BossGateMode;
  championDefences: number;
  threshold: number;
  taskCount: number;
  /** Strict majority: floor(taskCount / 2) + 1. */
  tasksNeeded: number;
  tasksWon: number;
  challengerWins: boolean;
  tasks: BossTaskVerdict[];
}

function sideValid(s: BossSide): boolean {
  return s.loss !== null && Number.isFinite(s.loss);
}

export interface DecideBossInput {
  rules: BossGateRules;
  /** Successful defences of the defending champion (0 for a new champion or the baseline). */
  championDefences: number;
  /** The boss round's tasks, in their fixed order. */
  tasks: readonly BossTaskInput[];
}

/** The boss round's verdict, with per-task margins; JSON-safe (no bigint, NaN or Infinity). */
export function decideBoss(input: DecideBossInput): BossVerdict {
  const { rules, tasks } = input;
  if (tasks.length === 0) throw new RangeError('the boss round has no tasks');
  const mode = rules.bossGate;
  if (!BOSS_GATE_MODES.includes(mode)) throw new RangeError(`unknown boss gate mode ${String(mode)}`);
  const t = progressiveThreshold(rules.threshold, input.championDefences);
  const useThreshold = mode === 'threshold' || mode === 'both';
  const useBootstrap = mode === 'bootstrap' || mode === 'both';
  const seeds = bootstrapTaskSeeds(rules.bootstrap.seed, tasks.length);

  const verdicts = tasks.map((task, i): BossTaskVerdict => {
    const direction = task.direction ?? 'lower';
    const base = {
      taskIndex: i,
      taskId: task.taskId,
      direction,
      championLoss: task.champion.loss,
      challengerLoss: task.challenger.loss,
      threshold: t,
    };
    const champOk = sideValid(task.champion);
    const challOk = sideValid(task.challenger);
    if (!champOk || !challOk) {
      const reason: BossTaskReason = !challOk ? (champOk ? 'challenger_failed' : 'both_failed') : 'champion_failed';
      return {
        ...base,
        relativeImprovement: null,
        thresholdPassed: null,
        bootstrap: null,
        bootstrapPassed: null,
        challengerWins: reason === 'champion_failed',
        reason,
      };
    }
    const champLoss = task.champion.loss as number;
    const challLoss = task.challenger.loss as number;
    const beatsThreshold = direction === 'higher' ? challLoss >= champLoss * (1 + t) : challLoss <= champLoss * (1 - t);
    const thresholdPassed = useThreshold ? beatsThreshold : null;
    let bootstrap: (BootstrapResult & { seed: string }) | null = null;
    if (useBootstrap) {
      const a = task.champion.perExample;
      const b = task.challenger.perExample;
      if (a === null || b === null) throw new Error(`boss task ${task.taskId}: per-example losses are required by the bootstrap`);
      const res = pairedBootstrap(a, b, { samples: rules.bootstrap.samples, confidence: rules.bootstrap.confidence, seed: seeds[i], direction });
      bootstrap = { ...res, seed: `0x${seeds[i].toString(16).padStart(16, '0')}` };
    }
    const bootstrapPassed = bootstrap === null ? null : bootstrap.lowerBound > t;
    const challengerWins = thresholdPassed !== false && bootstrapPassed !== false;
    return {
      ...base,
      relativeImprovement: champLoss > 0 ? (direction === 'higher' ? challLoss - champLoss : champLoss - challLoss) / champLoss : null,
      thresholdPassed,
      bootstrap,
      bootstrapPassed,
      challengerWins,
      reason: challengerWins ? 'beat_margin' : 'missed_margin',
    };
  });

  const tasksWon = verdicts.filter((v) => v.challengerWins).length;
  const tasksNeeded = Math.floor(tasks.length / 2) + 1;
  return {
    rulebookVersion: rules.version,
    mode,
    championDefences: input.championDefences,
    threshold: t,
    taskCount: tasks.length,
    tasksNeeded,
    tasksWon,
    challengerWins: tasksWon >= tasksNeeded,
    tasks: verdicts,
  };
}
