import { defaultRulebook, Rulebook, validateRulebook } from '../scoring/rulebook';

/** When tournaments of a type run: part of the stored rulebook, so a cycle's timing is on record too. */
export interface ScheduleRules {
  /** Length of the registration window. */
  registrationMinutes: number;
  /** Upper bound of a tournament from registration close to completion (DESIGN: 4-7 days). */
  maxDurationHours: number;
  /** Pause between one tournament's completion and the next one's registration. */
  gapHours: number;
}

export type TournamentRulebook = Rulebook & { schedule: ScheduleRules };

export const DEFAULT_SCHEDULE: ScheduleRules = { registrationMinutes: 24 * 60, maxDurationHours: 7 * 24, gapHours: 72 };

export function newTournamentRulebook(overrides: { schedule?: Partial<ScheduleRules>; rules?: Partial<Rulebook> } = {}): TournamentRulebook {
  return { ...defaultRulebook(), ...overrides.rules, schedule: { ...DEFAULT_SCHEDULE, ...overrides.schedule } };
}

export function validateTournamentRulebook(input: TournamentRulebook): string[] {
  const problems = validateRulebook(input);
  const s = input.schedule;
  if (!s || !(s.registrationMinutes > 0) || !(s.maxDurationHours > 0) || !(s.gapHours >= 0)) {
    problems.push('schedule needs registrationMinutes > 0, maxDurationHours > 0 and gapHours >= 0');
  }
  return problems;
}
