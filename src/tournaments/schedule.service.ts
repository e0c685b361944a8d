import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { planCycles, PlannedCycle } from './cycle-plan';
import { newTournamentRulebook, ScheduleRules } from '../scoring/tournament-rulebook';
import { TournamentRepository } from './tournament.repository';

export interface TypeSchedule {
  type: string;
  /** Whether the worker creates this type's cycles by itself (CRUCIBLE_AUTO_SCHEDULE). */
  autoSchedule: boolean;
  /** The schedule new cycles run under (DEFAULT_SCHEDULE and CRUCIBLE_SCHEDULE_<TYPE>). */
  schedule: ScheduleRules;
  cycles: PlannedCycle[];
}

/** The planned dates of each configured tournament type's next cycles (GET /api/schedule). */
@Injectable()
export class ScheduleService {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async upcoming(count = 3): Promise<TypeSchedule[]> {
    const t = this.config.tournaments;
    const now = this.clock.now();
    const out: TypeSchedule[] = [];
    for (const type of t.types) {
      const schedule = newTournamentRulebook({ rules: t.rulebookOverrides, schedule: t.schedules[type] }).schedule;
      const current = await this.tournaments.activeOfType(type);
      const latest = current ? null : await this.tournaments.latestOfType(type);
      // Without auto-scheduling only what is on record is planned: later cycles wait for an organiser.
      const cycles = t.autoSchedule ? planCycles({ current, lastCycle: latest?.cycle ?? 0, schedule, now, count }) : current ? planCycles({ current, lastCycle: current.cycle - 1, schedule, now, count: 1 }) : [];
      out.push({ type, autoSchedule: t.autoSchedule, schedule, cycles });
    }
    return out;
  }
}
