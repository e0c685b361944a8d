import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { TaskDataService } from '../evaluation/task-data';
import { TournamentRepository } from './tournament.repository';

/** Prepared data this old without a task row belongs to a planning transaction that never committed. */
const ORPHAN_AFTER_MS = 3600_000;

/**
 * At worker start, removes task data (training split, hidden split) whose task row does not exist:
 * the process died between preparing a round's tasks and committing it. Young folders are left alone,
 * as another worker may be planning that round right now.
 */
@Injectable()
export class TaskDataSweeper implements OnApplicationBootstrap {
  private readonly logger = new Logger(TaskDataSweeper.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly taskData: TaskDataService,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep().catch((error: unknown) => this.logger.warn({ error: String(error) }, 'could not sweep task data; next start retries'));
  }

  /** Returns the task ids whose data it removed. */
  async sweep(): Promise<string[]> {
    const cutoff = this.clock.now().getTime() - ORPHAN_AFTER_MS;
    const old = (await this.taskData.preparedTasks()).filter((t) => t.writtenAtMs < cutoff && /^[0-9a-f-]{36}$/.test(t.taskId)).map((t) => t.taskId);
    const known = await this.tournaments.existingTaskIds(old);
    const orphans = old.filter((id) => !known.has(id));
    await this.taskData.discard(orphans);
    if (orphans.length > 0) this.logger.log({ orphans: orphans.length }, 'removed task data of rounds that were never committed');
    return orphans;
  }
}
