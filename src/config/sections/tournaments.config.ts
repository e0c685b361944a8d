import type { Rulebook } from '../../scoring/rulebook';
import { newTournamentRulebook, ScheduleRules, validateTournamentRulebook } from '../../scoring/tournament-rulebook';
import type { EnvReader } from '../env-reader';

export interface TournamentsConfig {
  /** Tournament types that run back to back (each needs a pool in the rulebook). */
  types: string[];
  /** Create the next cycle of each type by itself after the gap (default on; tests and the demo turn it off). */
  autoSchedule: boolean;
  /** Rulebook constants over the defaults for auto-scheduled cycles (CRUCIBLE_RULEBOOK_OVERRIDES, JSON). */
  rulebookOverrides: Partial<Rulebook>;
  /** Per-type schedule over DEFAULT_SCHEDULE (CRUCIBLE_SCHEDULE_<TYPE>), so types run on their own cadences. */
  schedules: Record<string, Partial<ScheduleRules>>;
  /** Champion of a type's first tournament (no previous winner). */
  baseline?: { repoUrl: string; commitSha: string };
  /** Concurrent training runs per hardware class, e.g. {"cpu-2": 1}. */
  concurrency: Record<string, number>;
  /** Infra failures in a row of one (task, entrant) re-queued at once; past it the round backs off. */
  maxInfraRetries: number;
  /** Infra retries of one (task, entrant) in total (immediate and after backoff); past it the run is given up. */
  maxInfraRetriesTotal: number;
  /** How long a round that hit the infra retry cap waits before trying those runs again. */
  infraBackoffSeconds: number;
  /** Round deadline for rulebooks whose schedule does not carry one (stored before it did). */
  roundDeadlineMinutes: number;
  /** A run's claim lasts this long without a heartbeat before another worker may adopt it. */
  leaseSeconds: number;
}

/** `CRUCIBLE_SCHEDULE_TEXT_LONG` for type `text-long`. */
export function scheduleVar(type: string): string {
  return `CRUCIBLE_SCHEDULE_${type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const SCHEDULE_KEYS: ReadonlyArray<keyof ScheduleRules> = ['registrationMinutes', 'maxDurationHours', 'gapHours', 'roundDeadlineMinutes'];

function scheduleOf(r: EnvReader, type: string): Partial<ScheduleRules> {
  const name = scheduleVar(type);
  const out: Partial<ScheduleRules> = {};
  for (const [k, v] of Object.entries(r.keyValues(name))) {
    const key = SCHEDULE_KEYS.find((known) => known === k);
    const n = Number(v);
    if (key === undefined || !Number.isFinite(n) || n < 0) {
      r.problem(`${name} takes ${SCHEDULE_KEYS.join(', ')} as key=number pairs`);
      return {};
    }
    out[key] = n;
  }
  return out;
}

function rulebookOverrides(r: EnvReader): Partial<Rulebook> {
  const raw = r.str('CRUCIBLE_RULEBOOK_OVERRIDES');
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    // Each constant is checked below, by validating the rulebook it makes for every type.
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Partial<Rulebook>;
  } catch {
    // reported below
  }
  r.problem('CRUCIBLE_RULEBOOK_OVERRIDES must be a JSON object of rulebook constants');
  return {};
}

function baseline(r: EnvReader): TournamentsConfig['baseline'] {
  const repoUrl = r.str('CRUCIBLE_BASELINE_REPO_URL');
  const commitSha = r.str('CRUCIBLE_BASELINE_COMMIT');
  if (!repoUrl) return undefined;
  if (commitSha === undefined || !/^[0-9a-f]{40}$/.test(commitSha)) {
    r.problem('CRUCIBLE_BASELINE_COMMIT must be a full 40-hex commit when CRUCIBLE_BASELINE_REPO_URL is set');
    return { repoUrl, commitSha: '' };
  }
  return { repoUrl, commitSha };
}

function concurrency(r: EnvReader): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [hardware, n] of Object.entries(r.keyValues('CRUCIBLE_RUN_CONCURRENCY'))) {
    if (!/^\d+$/.test(n) || Number(n) < 1) r.problem(`CRUCIBLE_RUN_CONCURRENCY for ${hardware} must be an integer >= 1`);
    out[hardware] = Number(n);
  }
  return out;
}

export function readTournamentsConfig(r: EnvReader): TournamentsConfig {
  const types = r.list('CRUCIBLE_TOURNAMENT_TYPES', 'text,image');
  const overrides = rulebookOverrides(r);
  const schedules = Object.fromEntries(types.map((type) => [type, scheduleOf(r, type)]));
  for (const type of types) {
    const rulebook = newTournamentRulebook({ rules: overrides, schedule: schedules[type] });
    const problems = validateTournamentRulebook(rulebook);
    if (!(type in rulebook.pools)) problems.push(`no weight pool for ${type} (set CRUCIBLE_RULEBOOK_OVERRIDES' pools)`);
    if (problems.length) r.problem(`the rulebook of tournament type ${type} (defaults, CRUCIBLE_RULEBOOK_OVERRIDES, ${scheduleVar(type)}): ${problems.join('; ')}`);
  }
  return {
    types,
    autoSchedule: r.bool('CRUCIBLE_AUTO_SCHEDULE', true),
    rulebookOverrides: overrides,
    schedules,
    baseline: baseline(r),
    concurrency: concurrency(r),
    maxInfraRetries: r.int('CRUCIBLE_MAX_INFRA_RETRIES', 3, 0, 100),
    maxInfraRetriesTotal: r.int('CRUCIBLE_MAX_INFRA_RETRIES_TOTAL', 8, 0, 1000),
    infraBackoffSeconds: r.int('CRUCIBLE_INFRA_BACKOFF_SECONDS', 300, 0, 86400),
    roundDeadlineMinutes: r.int('CRUCIBLE_ROUND_DEADLINE_MINUTES', 24 * 60, 1, 90 * 24 * 60),
    leaseSeconds: r.int('CRUCIBLE_RUN_LEASE_SECONDS', 60, 2, 3600),
  };
}
