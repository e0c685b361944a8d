import { Injectable } from '@nestjs/common';
import { Repository } from 'typeorm';
import { TransactionContext } from '../common/transactor';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import type { ModelScore } from '../evaluation/task-data';

/** Stored evaluations: one per successful run, one baseline per task. */
@Injectable()
export class ScoreRepository {
  constructor(private readonly db: TransactionContext) {}

  /** Runs in the caller's transaction when there is one. */
  private repo(): Repository<EvaluationEntity> {
    return this.db.manager().getRepository(EvaluationEntity);
  }

  async record(taskId: string, runId: string | null, score: ModelScore): Promise<EvaluationEntity> {
    // Idempotent: a re-evaluation after a restart keeps the first stored result.
    const repo = this.repo();
    const existing = runId ? await repo.findOne({ where: { runId } }) : await this.baselineOf(taskId);
    return existing ?? repo.save(repo.create({ taskId, runId, ...score }));
  }

  ofTasks(taskIds: string[]): Promise<EvaluationEntity[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return this.repo().createQueryBuilder('e').where('e.taskId IN (:...taskIds)', { taskIds }).getMany();
  }

  private async baselineOf(taskId: string): Promise<EvaluationEntity | null> {
    return this.repo().createQueryBuilder('e').where('e.taskId = :taskId AND e.runId IS NULL', { taskId }).getOne();
  }
}
