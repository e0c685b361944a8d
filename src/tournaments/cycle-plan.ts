/**
 * The next cycles of a tournament type, as far as they can be known (pure). The cycle on record
 * (scheduled or running) has exact dates; the ones after it open `gapHours` after the previous one
 * completes, so they get a window: `opensAt` if every tournament ended the moment registration
 * closed, `opensBy` if every one ran to its `endsBy`.
 */
import type { ScheduleRules } from '../scoring/tournament-rulebook';

export interface CycleOnRecord {
  id: string;
  cycle: number;
  state: string;
  registrationOpensAt: Date;
  registrationClosesAt: Date;
  endsBy: Date;
}

export interface PlannedCycle {
  cycle: number;
  /** The tournament's id and state once it is on record; null for a projected cycle. */
  tournamentId: string | null;
  state: string | null;
  /** Earliest registration opening (exact for a cycle on record). */
  opensAt: Date;
  /** Latest registration opening (exact for a cycle on record). */
  opensBy: Date;
  /** Latest `endsBy`. */
  endsBy: Date;
}

const H = 3600_000;

export function planCycles(input: { current: CycleOnRecord | null; lastCycle: number; schedule: ScheduleRules; now: Date; count: number }): PlannedCycle[] {
  const { schedule: s, count } = input;
  const reg = s.registrationMinutes * 60_000;
  const out: PlannedCycle[] = [];
  if (input.current) {
    const c = input.current;
    out.push({ cycle: c.cycle, tournamentId: c.id, state: c.state, opensAt: c.registrationOpensAt, opensBy: c.registrationOpensAt, endsBy: c.endsBy });
  } else {
    const endsBy = new Date(input.now.getTime() + reg + s.maxDurationHours * H);
    out.push({ cycle: input.lastCycle + 1, tournamentId: null, state: null, opensAt: input.now, opensBy: input.now, endsBy });
  }
  while (out.length < count) {
    const prev = out[out.length - 1];
    const earliestClose = prev.opensAt.getTime() + reg;
    const opensAt = new Date(earliestClose + s.gapHours * H);
    const opensBy = new Date(prev.endsBy.getTime() + s.gapHours * H);
    out.push({ cycle: prev.cycle + 1, tournamentId: null, state: null, opensAt, opensBy, endsBy: new Date(opensBy.getTime() + reg + s.maxDurationHours * H) });
  }
  return out;
}
