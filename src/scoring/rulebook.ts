/**
 * The rulebook: every constant that decides an outcome. A copy is stored with each tournament when
 * it is created, so changing DEFAULT_RULEBOOK never changes a running (or past) tournament, and an
 * auditor recomputes a tournament from the rulebook stored in its bundle. Plain JSON only (no
 * bigint, no Infinity) so it round-trips through jsonb and audit bundles unchanged.
 *
 * Pure: no Nest, TypeORM or IO imports.
 */

export type RoundKind = 'group' | 'knockout' | 'boss';

/** How the boss round decides a task (see boss-gate.ts). */
export type BossGateMode = 'threshold' | 'bootstrap' | 'both';
export const BOSS_GATE_MODES: readonly BossGateMode[] = ['threshold', 'bootstrap', 'both'];

/** Progressive threshold t = max(floor, base * decay^defences); see boss-gate.ts. */
export interface ThresholdRule {
  floor: number;
  base: number;
  decay: number;
}

export interface BootstrapRule {
  /** Number of bootstrap resamples per boss task. */
  samples: number;
  /** Published 64-bit seed as 16 lower-case hex digits with a 0x prefix ("0x" + 16 hex). */
  seed: string;
  /** One-sided level: the lower bound is the (1 - confidence) quantile of the resampled improvements. */
  confidence: number;
}

/**
 * Version of the weight formula, i.e. how a final ranking becomes weight standings, so bundles sealed
 * under an older formula still recompute after a change:
 *   1: the baseline champion is left out of the ranking (rulebooks written before this field existed);
 *   2: the baseline champion keeps its place and its rank share, which is paid to the owner/burn uid.
 */
export type WeightFormula = 1 | 2;
export const WEIGHT_FORMULAS: readonly WeightFormula[] = [1, 2];

/** The formula a rulebook was written under (absent: 1, the formula before the field existed). */
export function weightFormulaOf(rules: Pick<Rulebook, 'weightFormula'>): WeightFormula {
  return rules.weightFormula ?? 1;
}

export interface TaskCatalogEntry {
  /** Dataset ids known to the evaluation layer. */
  datasets: readonly string[];
  /** Base model ids (the starting point handed to miners and scored as the baseline). */
  baseModels: readonly string[];
}

/**
 * How one tournament type plays (absent in rulebooks stored before it existed: its tasks cycle
 * through `tournamentTaskTypes`, on `hardware`, in the CPU image unless the hardware is a GPU class).
 */
export interface TournamentTypeRules {
  /**
   * Probability of each task type for a group or knockout task (they sum to 1). Each task's type is
   * drawn from its round's seed (see task-type-draw.ts), so the draw is reproducible.
   */
  taskTypeOdds: Readonly<Record<string, number>>;
  /** The boss round's task types in task order: boss task i gets entry i mod length (list them interleaved). */
  bossTaskTypes: readonly string[];
  /** Hardware class of the type's runs (its concurrency pool; a class starting with "gpu" gets GPUs). */
  hardware: string;
  /** Which configured sandbox image its runs train in. */
  sandboxImage: 'cpu' | 'gpu';
}

/** Every sandbox image choice a tournament type can make (the images themselves are deployment config). */
export const SANDBOX_IMAGES: readonly TournamentTypeRules['sandboxImage'][] = ['cpu', 'gpu'];

/** A task type's own constants (e.g. DPO beta, reward weights): flat JSON, recorded on every task. */
export type TaskTypeParams = Readonly<Record<string, number | string | boolean | Readonly<Record<string, number>>>>;

/** `preference` (DPO): beta, the temperature of the margin. */
export interface PreferenceParams {
  beta: number;
}

/** `reward`: the generation budget per prompt, and the weight of each reward function (they sum to 1). */
export interface RewardParams {
  maxNewTokens: number;
  weights: { exact: number; format: number };
}

/**
 * The text task types' constants before rulebooks carried them (2026.12-3 and older stored
 * `taskTypes` empty or not at all): a task recorded without a constant is evaluated, and recomputed by
 * an auditor, with these. Never change them; change the rulebook's `taskTypes` instead.
 */
export const TASK_TYPE_PARAMS_BEFORE_RULEBOOK: { preference: PreferenceParams; reward: RewardParams } = deepFreeze({
  preference: { beta: 0.1 },
  reward: { maxNewTokens: 8, weights: { exact: 0.8, format: 0.2 } },
});

/** prompts-v1 prompts are at most 10 bytes; with the generation they must fit the base model's 64-token context. */
const MAX_NEW_TOKENS_LIMIT = 32;

// A type, not an interface: a rulebook is plain JSON, so it stays assignable to JSON records (bundles, responses).
export type Rulebook = {
  /** Bumped whenever any value below changes, e.g. "2026.11-1". */
  version: string;
  /** At most this many challengers go straight to knockout pairs; more play group rounds first. */
  knockoutMax: number;
  /** Largest group; groups are as equal as possible (sizes differ by at most 1). */
  groupSize: number;
  /** Top N of each group (with a valid result) advance. */
  groupAdvance: number;
  /** Tasks in the boss round (the challenger needs a strict majority). */
  bossTasks: number;
  /** Tasks per group and per knockout pair (the v1 bracket supports exactly 1). */
  tasksPerRound: { group: number; knockout: number };
  threshold: ThresholdRule;
  bootstrap: BootstrapRule;
  bossGate: BossGateMode;
  /** See WeightFormula; absent in rulebooks stored before it existed (read them with weightFormulaOf). */
  weightFormula?: WeightFormula;
  /** Rank weight decay: the miner ranked r gets decay^(r-1) before normalisation. */
  weightDecay: number;
  /** Fraction of emission per tournament type; 1 - sum goes to the owner/burn uid. */
  pools: Readonly<Record<string, number>>;
  /** Task types each tournament type draws its tasks from (with `tournamentTypes`: every type its odds and boss round use). */
  tournamentTaskTypes: Readonly<Record<string, readonly string[]>>;
  /** Per tournament type: task type draw, boss mix, hardware and image. Absent in rulebooks stored before it existed. */
  tournamentTypes?: Readonly<Record<string, TournamentTypeRules>>;
  /** Per task type: its evaluation constants, handed to its evaluator with every task. Absent: none. */
  taskTypes?: Readonly<Record<string, TaskTypeParams>>;
  /**
   * Fraction of each type's pool spread equally over the miners that completed at least one valid
   * run in that tournament (a tiny reward for taking part); the rest of the pool goes by rank.
   */
  participationFloor: number;
  /** Miner-caused failed training attempts allowed per (task, entrant); infra failures are free. */
  attempts: number;
  /** Training wall-time limit per round kind, seconds. */
  timeLimitsSeconds: Readonly<Record<RoundKind, number>>;
  /** Hardware class every run of the tournament uses (e.g. "cpu-2", "gpu-h100"). */
  hardware: string;
  /** Datasets and base models per task type. */
  taskCatalog: Readonly<Record<string, TaskCatalogEntry>>;
  /**
   * Whether a tournament type with an emission pool may draw tasks from public datasets (whose test
   * split a miner can recover). Off by default: the default catalogue uses generated datasets only.
   * Absent in rulebooks sealed before it existed (read as false).
   */
  allowPublicDatasets?: boolean;
  /**
   * A test example counts as contaminated when at least this fraction of its 13-token n-grams occur in
   * the miner's repository (evaluation/contamination.ts); any contaminated example rejects the run.
   * Absent in rulebooks sealed before it existed (read as 0.5).
   */
  contaminationThreshold?: number;
  /**
   * Copies inside a round (scoring/copies.ts): a later entrant with the same model file, or on the same
   * task with per-example losses correlated at least `correlation` and means within `meanTolerance`,
   * gets no result for that task. Absent in rulebooks sealed before it existed (no copy check then).
   */
  copyRule?: { correlation: number; meanTolerance: number };
};

/** Default of `contaminationThreshold`, and its value for rulebooks sealed before the field existed. */
export const CONTAMINATION_THRESHOLD_DEFAULT = 0.5;

export const DEFAULT_RULEBOOK: Rulebook = deepFreeze({
  version: '2026.12-5',
  knockoutMax: 14,
  groupSize: 32,
  groupAdvance: 8,
  bossTasks: 6,
  tasksPerRound: { group: 1, knockout: 1 },
  threshold: { floor: 0.03, base: 0.1, decay: 0.8 },
  bootstrap: { samples: 2000, seed: '0x6372756369626c65', confidence: 0.95 },
  bossGate: 'both',
  weightFormula: 2,
  weightDecay: 0.3,
  // Text and image tournaments run independently, each paid from its own pool; the rest (0.1) is burnt.
  pools: { text: 0.6, image: 0.3 },
  // causal-lm stays in the catalogue (a rulebook override can still run it); the default text tournament mixes the three.
  tournamentTaskTypes: { text: ['instruct', 'preference', 'reward'], image: ['image'] },
  tournamentTypes: {
    // Group and knockout tasks draw their type; the boss round's 6 tasks are 2 of each, interleaved.
    text: { taskTypeOdds: { instruct: 0.35, preference: 0.35, reward: 0.3 }, bossTaskTypes: ['instruct', 'preference', 'reward'], hardware: 'cpu-2', sandboxImage: 'cpu' },
    // A cluster with GPU nodes sets hardware "gpu-..." and sandboxImage "gpu" (CRUCIBLE_RULEBOOK_OVERRIDES).
    image: { taskTypeOdds: { image: 1 }, bossTaskTypes: ['image'], hardware: 'cpu-2', sandboxImage: 'cpu' },
  },
  taskTypes: {
    preference: { beta: 0.1 },
    reward: { maxNewTokens: 8, weights: { exact: 0.8, format: 0.2 } },
  },
  participationFloor: 0.001,
  attempts: 2,
  // DESIGN: tournaments of 4-7 days. 12 h of training per group or knockout task, 24 h per boss task:
  // with a day of registration, a 256-entrant field (group, 3 knockouts, boss) plays about 4 days.
  timeLimitsSeconds: { group: 12 * 3600, knockout: 12 * 3600, boss: 24 * 3600 },
  hardware: 'cpu-2',
  taskCatalog: {
    'causal-lm': { datasets: ['grammar-lm-v1'], baseModels: ['builtin:unigram'] },
    // prompts-v2 (2026.12-5): prompts-v1's rejected reversed words could be told apart without
    // reversing (src/evaluation/TEXT-TASKS.md, Limits).
    instruct: { datasets: ['prompts-v2'], baseModels: ['base:byte-lm-v1'] },
    preference: { datasets: ['prompts-v2'], baseModels: ['base:byte-lm-v1'] },
    reward: { datasets: ['prompts-v2'], baseModels: ['base:byte-lm-v1'] },
    image: { datasets: ['shapes-16-v1'], baseModels: ['base:shapes-denoiser-v1'] },
  },
  allowPublicDatasets: false,
  contaminationThreshold: CONTAMINATION_THRESHOLD_DEFAULT,
  copyRule: { correlation: 0.9999, meanTolerance: 1e-6 },
});

/** A mutable deep copy of the defaults, to start a new tournament's rulebook from. */
export function defaultRulebook(): Rulebook {
  return structuredClone(DEFAULT_RULEBOOK);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const HEX64 = /^0x[0-9a-f]{16}$/;

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Every problem with a rulebook, all at once (empty list = valid). Accepts unknown input so a
 * rulebook read from a database row or an audit bundle can be checked before it is trusted.
 */
export function validateRulebook(input: unknown): string[] {
  const p: string[] = [];
  if (!isRecord(input)) return ['rulebook must be an object'];
  const r = input;

  if (typeof r.version !== 'string' || r.version.trim() === '') p.push('version must be a non-empty string');
  for (const k of ['knockoutMax', 'groupSize', 'groupAdvance', 'bossTasks', 'attempts'] as const) {
    if (!isPosInt(r[k])) p.push(`${k} must be an integer >= 1`);
  }
  if (isPosInt(r.knockoutMax) && r.knockoutMax < 2) p.push('knockoutMax must be >= 2');
  if (isPosInt(r.groupAdvance) && isPosInt(r.knockoutMax) && r.groupAdvance > r.knockoutMax) {
    p.push('groupAdvance must be <= knockoutMax (a single group must shrink the field)');
  }
  if (isPosInt(r.groupAdvance) && isPosInt(r.groupSize) && r.groupSize < 2 * r.groupAdvance + 1) {
    p.push('groupSize must be >= 2 * groupAdvance + 1 (every group must be larger than groupAdvance)');
  }

  const tpr = r.tasksPerRound;
  if (!isRecord(tpr) || !isPosInt(tpr.group) || !isPosInt(tpr.knockout)) {
    p.push('tasksPerRound.group and tasksPerRound.knockout must be integers >= 1');
  } else if (tpr.group !== 1 || tpr.knockout !== 1) {
    p.push('tasksPerRound: this bracket decides groups and pairs on exactly 1 task each');
  }

  const th = r.threshold;
  if (!isRecord(th)) {
    p.push('threshold must be an object');
  } else {
    if (!isFiniteNumber(th.floor) || th.floor < 0 || th.floor >= 1) p.push('threshold.floor must be in [0, 1)');
    if (!isFiniteNumber(th.base) || th.base < 0 || th.base >= 1) p.push('threshold.base must be in [0, 1)');
    if (!isFiniteNumber(th.decay) || th.decay <= 0 || th.decay > 1) p.push('threshold.decay must be in (0, 1]');
  }

  const bs = r.bootstrap;
  if (!isRecord(bs)) {
    p.push('bootstrap must be an object');
  } else {
    if (!isPosInt(bs.samples) || bs.samples < 100 || bs.samples > 1_000_000) {
      p.push('bootstrap.samples must be an integer in [100, 1000000]');
    }
    if (typeof bs.seed !== 'string' || !HEX64.test(bs.seed)) p.push('bootstrap.seed must be "0x" + 16 lower-case hex digits');
    if (!isFiniteNumber(bs.confidence) || bs.confidence <= 0.5 || bs.confidence >= 1) {
      p.push('bootstrap.confidence must be in (0.5, 1)');
    }
  }

  if (typeof r.bossGate !== 'string' || !(BOSS_GATE_MODES as readonly string[]).includes(r.bossGate)) {
    p.push(`bossGate must be one of ${BOSS_GATE_MODES.join(', ')}`);
  }
  if (r.weightFormula !== undefined && !(WEIGHT_FORMULAS as readonly unknown[]).includes(r.weightFormula)) {
    p.push(`weightFormula must be one of ${WEIGHT_FORMULAS.join(', ')}`);
  }
  if (!isFiniteNumber(r.weightDecay) || r.weightDecay <= 0 || r.weightDecay > 1) p.push('weightDecay must be in (0, 1]');

  if (!isRecord(r.pools) || Object.keys(r.pools).length === 0) {
    p.push('pools must map at least one tournament type to a fraction');
  } else {
    let sum = 0;
    for (const [type, v] of Object.entries(r.pools)) {
      if (!isFiniteNumber(v) || v < 0 || v > 1) p.push(`pools.${type} must be in [0, 1]`);
      else sum += v;
    }
    if (sum > 1 + 1e-12) p.push(`pools must sum to at most 1 (got ${sum})`);
  }

  const ttt = r.tournamentTaskTypes;
  const catalog = r.taskCatalog;
  if (!isRecord(catalog)) {
    p.push('taskCatalog must be an object');
  } else {
    for (const [taskType, entry] of Object.entries(catalog)) {
      if (!isRecord(entry)) {
        p.push(`taskCatalog.${taskType} must be an object`);
        continue;
      }
      for (const k of ['datasets', 'baseModels'] as const) {
        const list = entry[k];
        if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== '')) {
          p.push(`taskCatalog.${taskType}.${k} must be a non-empty list of ids`);
        }
      }
    }
  }
  if (!isRecord(ttt)) {
    p.push('tournamentTaskTypes must be an object');
  } else if (isRecord(r.pools)) {
    for (const type of Object.keys(r.pools)) {
      const list = ttt[type];
      if (!Array.isArray(list) || list.length === 0) {
        p.push(`tournamentTaskTypes.${type} must list at least one task type`);
        continue;
      }
      for (const tt of list) {
        if (typeof tt !== 'string' || !isRecord(catalog) || !isRecord(catalog[tt])) {
          p.push(`tournamentTaskTypes.${type}: task type ${String(tt)} is not in taskCatalog`);
        }
      }
    }
  }

  p.push(...tournamentTypeProblems(r));
  if (r.taskTypes !== undefined && (!isRecord(r.taskTypes) || !Object.values(r.taskTypes).every(isRecord))) p.push('taskTypes must map task types to objects of constants');
  else if (isRecord(r.taskTypes)) for (const [taskType, params] of Object.entries(r.taskTypes)) p.push(...taskTypeParamProblems(taskType, params as TaskTypeParams));

  if (r.allowPublicDatasets !== undefined && typeof r.allowPublicDatasets !== 'boolean') p.push('allowPublicDatasets must be true or false');
  if (r.contaminationThreshold !== undefined && (!isFiniteNumber(r.contaminationThreshold) || r.contaminationThreshold <= 0 || r.contaminationThreshold > 1)) {
    p.push('contaminationThreshold must be in (0, 1]');
  }
  if (r.copyRule !== undefined) {
    const c = r.copyRule;
    if (!isRecord(c) || !isFiniteNumber(c.correlation) || c.correlation <= 0 || c.correlation > 1 || !isFiniteNumber(c.meanTolerance) || c.meanTolerance < 0) {
      p.push('copyRule must be { correlation in (0, 1], meanTolerance >= 0 }');
    }
  }

  if (!isFiniteNumber(r.participationFloor) || r.participationFloor < 0 || r.participationFloor > 0.1) {
    p.push('participationFloor must be in [0, 0.1]');
  }

  const tl = r.timeLimitsSeconds;
  if (!isRecord(tl)) {
    p.push('timeLimitsSeconds must be an object');
  } else {
    for (const kind of ['group', 'knockout', 'boss'] as const) {
      if (!isPosInt(tl[kind])) p.push(`timeLimitsSeconds.${kind} must be an integer >= 1`);
    }
  }
  if (typeof r.hardware !== 'string' || r.hardware === '') p.push('hardware must be a non-empty string');
  return p;
}

/** Problems of `tournamentTypes`, checked for the types that have a pool (others are ignored). */
function tournamentTypeProblems(r: Record<string, unknown>): string[] {
  const p: string[] = [];
  const types = r.tournamentTypes;
  if (types === undefined) return p;
  if (!isRecord(types)) return ['tournamentTypes must be an object'];
  const pools = isRecord(r.pools) ? r.pools : {};
  const allowed = isRecord(r.tournamentTaskTypes) ? r.tournamentTaskTypes : {};
  for (const [type, rules] of Object.entries(types)) {
    if (!(type in pools)) continue;
    const at = `tournamentTypes.${type}`;
    if (!isRecord(rules)) {
      p.push(`${at} must be an object`);
      continue;
    }
    const allowedTypes = allowed[type];
    const listed: unknown[] = Array.isArray(allowedTypes) ? allowedTypes : [];
    const odds = rules.taskTypeOdds;
    if (!isRecord(odds) || Object.keys(odds).length === 0) {
      p.push(`${at}.taskTypeOdds must map task types to probabilities`);
    } else {
      let sum = 0;
      for (const [taskType, v] of Object.entries(odds)) {
        if (!isFiniteNumber(v) || v < 0 || v > 1) p.push(`${at}.taskTypeOdds.${taskType} must be in [0, 1]`);
        else sum += v;
        if (!listed.includes(taskType)) p.push(`${at}.taskTypeOdds: task type ${taskType} is not in tournamentTaskTypes.${type}`);
      }
      if (Math.abs(sum - 1) > 1e-9) p.push(`${at}.taskTypeOdds must sum to 1 (got ${sum})`);
    }
    const boss = rules.bossTaskTypes;
    if (!Array.isArray(boss) || boss.length === 0) {
      p.push(`${at}.bossTaskTypes must list at least one task type`);
    } else {
      for (const taskType of boss) if (!listed.includes(taskType)) p.push(`${at}.bossTaskTypes: task type ${String(taskType)} is not in tournamentTaskTypes.${type}`);
    }
    if (typeof rules.hardware !== 'string' || rules.hardware === '') p.push(`${at}.hardware must be a non-empty string`);
    if (!(SANDBOX_IMAGES as readonly unknown[]).includes(rules.sandboxImage)) p.push(`${at}.sandboxImage must be one of ${SANDBOX_IMAGES.join(', ')}`);
  }
  return p;
}

/** Throws with every problem listed when the rulebook is invalid; returns it typed otherwise. */
export function assertValidRulebook(input: unknown): Rulebook {
  const problems = validateRulebook(input);
  if (problems.length > 0) throw new Error(`invalid rulebook: ${problems.join('; ')}`);
  return input as Rulebook;
}

/**
 * Problems of one task type's constants (`taskTypes.<type>`, or the params recorded on a task): the
 * text task types' constants are checked by name; other task types have none yet and accept any.
 */
export function taskTypeParamProblems(taskType: string, params: TaskTypeParams): string[] {
  const at = `taskTypes.${taskType}`;
  const known: Record<string, readonly string[]> = { preference: ['beta'], reward: ['maxNewTokens', 'weights'] };
  if (!(taskType in known)) return [];
  const p = Object.keys(params)
    .filter((k) => !known[taskType].includes(k))
    .map((k) => `${at}.${k} is not a constant of ${taskType} (known: ${known[taskType].join(', ')})`);
  if (taskType === 'preference' && params.beta !== undefined && (!isFiniteNumber(params.beta) || params.beta <= 0)) {
    p.push(`${at}.beta must be a number > 0 (the DPO temperature)`);
  }
  if (taskType === 'reward') {
    const { maxNewTokens, weights } = params;
    if (maxNewTokens !== undefined && (!isPosInt(maxNewTokens) || maxNewTokens > MAX_NEW_TOKENS_LIMIT)) {
      p.push(`${at}.maxNewTokens must be an integer in [1, ${MAX_NEW_TOKENS_LIMIT}]`);
    }
    if (weights !== undefined) {
      const w = isRecord(weights) ? weights : {};
      const keys = Object.keys(w).sort().join(',');
      const values = Object.values(w);
      const sum = values.reduce<number>((s, v) => s + (isFiniteNumber(v) ? v : Number.NaN), 0);
      if (keys !== 'exact,format' || !values.every((v) => isFiniteNumber(v) && v >= 0 && v <= 1) || Math.abs(sum - 1) > 1e-9) {
        p.push(`${at}.weights must be { exact, format }, each in [0, 1], summing to 1 (got ${JSON.stringify(weights)})`);
      }
    }
  }
  return p;
}

/** The constants recorded on a task (its spec's `params`); tasks planned before they were recorded have none. */
export function paramsRecordedOn(spec: unknown): TaskTypeParams {
  const params = isRecord(spec) ? spec.params : undefined;
  return isRecord(params) ? (params as TaskTypeParams) : {};
}

/** `preference` constants of a task: its recorded params over the values from before rulebooks carried them. Throws when invalid. */
export function preferenceParams(recorded: TaskTypeParams = {}): PreferenceParams {
  const problems = taskTypeParamProblems('preference', recorded);
  if (problems.length > 0) throw new Error(`invalid task params: ${problems.join('; ')}`);
  const { beta } = recorded;
  return { beta: typeof beta === 'number' ? beta : TASK_TYPE_PARAMS_BEFORE_RULEBOOK.preference.beta };
}

/** `reward` constants of a task: its recorded params over the values from before rulebooks carried them. Throws when invalid. */
export function rewardParams(recorded: TaskTypeParams = {}): RewardParams {
  const problems = taskTypeParamProblems('reward', recorded);
  if (problems.length > 0) throw new Error(`invalid task params: ${problems.join('; ')}`);
  const before = TASK_TYPE_PARAMS_BEFORE_RULEBOOK.reward;
  const { maxNewTokens, weights } = recorded;
  return {
    maxNewTokens: typeof maxNewTokens === 'number' ? maxNewTokens : before.maxNewTokens,
    weights: isRecord(weights) ? { exact: weights.exact, format: weights.format } : { ...before.weights },
  };
}
