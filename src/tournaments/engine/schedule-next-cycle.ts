import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { AppConfig } from '../../config/app-config';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentFactory } from '../tournament.factory';

/** With auto-scheduling on, a completed tournament's next cycle opens after the rulebook's gap. */
@Injectable()
export class ScheduleNextCycle {
  private readonly logger = new Logger(ScheduleNextCycle.name);

  constructor(
    private readonly factory: TournamentFactory,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity): Promise<void> {
    if (!this.config.tournaments.autoSchedule) return;
    const { rulebook } = t;
    const opensAt = new Date(this.clock.now().getTime() + rulebook.schedule.gapHours * 3600_000);
    const next = await this.factory.createNextCycle({ type: t.type, opensAt });
    this.logger.log({ tournamentId: next.id, type: next.type, cycle: next.cycle, opensAt }, 'next cycle scheduled');
  }
}
