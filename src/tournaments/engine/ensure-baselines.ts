import { Injectable, Logger } from '@nestjs/common';
import { TaskDataService } from '../../evaluation/task-data';
import { paramsRecordedOn } from '../../scoring/rulebook';
import { ScoreRepository } from '../../runs/score.repository';
import { TournamentRepository } from '../tournament.repository';

/** Scores each task's base model once (the baseline shown beside miners' scores). */
@Injectable()
export class EnsureBaselines {
  private readonly logger = new Logger(EnsureBaselines.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly scores: ScoreRepository,
    private readonly taskData: TaskDataService,
  ) {}

  async run(tournamentId: string): Promise<void> {
    const tasks = await this.tournaments.tasks(tournamentId);
    const scored = new Set((await this.scores.ofTasks(tasks.map((x) => x.id))).filter((e) => e.runId === null).map((e) => e.taskId));
    for (const task of tasks) {
      if (scored.has(task.id)) continue;
      const result = await this.taskData.evaluateBaseline({ taskId: task.id, taskType: task.taskType, datasetId: task.datasetId, seed: task.secretSeed, params: paramsRecordedOn(task.spec) }, task.baseModel);
      if (result.ok) await this.scores.record(task.id, null, result.score);
      else this.logger.warn({ tournamentId, taskId: task.id, code: result.code, reason: result.reason }, 'baseline evaluation failed');
    }
  }
}
