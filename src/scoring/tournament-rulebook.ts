import { defaultRulebook, Rulebook, validateRulebook } from './rulebook';

/** When tournaments of a type run: part of the stored rulebook, so a cycle's timing is on record too. */
export interface ScheduleRules {
  /** Length of the registration window. */
  registrationMinutes: number;
  /** Upper bound of a tournament from registration close to completion (DESIGN: 4-7 days). */
  maxDurationHours: number;
  /** Pause between one tournament's completion and the next one's registration. */
  gapHours: number;
  /**
   * A round not decided this long after it started is decided with the results it has. Absent in
   * rulebooks stored before the schedule carried it: CRUCIBLE_ROUND_DEADLINE_MINUTES applies then.
   */
  roundDeadlineMinutes?: number;
}

export type TournamentRulebook = Rulebook & { schedule: ScheduleRules };

/**
 * DESIGN: a tournament lasts 4-7 days, then a 72 h gap. One day of registration; a round is decided
 * at most 36 h after its start (the training limits of scoring/rulebook.ts, 12 h and 24 h for the
 * boss, fit inside it with room for queueing and evaluation); a 256-entrant field plays a group
 * round, three knockout rounds and the boss round, about 4 days in all, and `endsBy` caps it at
 * 7 days after registration closes (the overrun rule, scoring/overrun.ts).
 */
export const DEFAULT_SCHEDULE: ScheduleRules = { registrationMinutes: 24 * 60, maxDurationHours: 7 * 24, gapHours: 72, roundDeadlineMinutes: 36 * 60 };

export function newTournamentRulebook(overrides: { schedule?: Partial<ScheduleRules>; rules?: Partial<Rulebook> } = {}): TournamentRulebook {
  return { ...defaultRulebook(), ...overrides.rules, schedule: { ...DEFAULT_SCHEDULE, ...overrides.schedule } };
}

export function validateTournamentRulebook(input: TournamentRulebook): string[] {
  const problems = validateRulebook(input);
  const s = input.schedule;
  if (!s || !(s.registrationMinutes > 0) || !(s.maxDurationHours > 0) || !(s.gapHours >= 0)) {
    problems.push('schedule needs registrationMinutes > 0, maxDurationHours > 0 and gapHours >= 0');
  }
  if (s && s.roundDeadlineMinutes !== undefined && !(s.roundDeadlineMinutes > 0)) problems.push('schedule.roundDeadlineMinutes must be > 0');
  return problems;
}
