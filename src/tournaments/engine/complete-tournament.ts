import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';
import { TournamentTransitions } from '../tournament-transitions';
import { ScheduleNextCycle } from './schedule-next-cycle';

/** weights_set -> completed: the task seeds are revealed and the next cycle is scheduled in the same transaction. */
@Injectable()
export class CompleteTournament {
  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly transitions: TournamentTransitions,
    private readonly nextCycle: ScheduleNextCycle,
    private readonly clock: Clock,
  ) {}

  async run(t: TournamentEntity): Promise<boolean> {
    const now = this.clock.now();
    const tasks = await this.tournaments.tasks(t.id);
    await this.tournaments.revealSeeds(tasks, now);
    await this.transitions.move(t, 'completed', 'completed; task seeds revealed', { revealed: tasks.map((x) => ({ taskId: x.id, seed: x.secretSeed })) });
    await this.nextCycle.run(t);
    return true;
  }
}
