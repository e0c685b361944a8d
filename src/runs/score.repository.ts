import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import type { ModelScore } from '../evaluation/task-data';

/** Stored evaluations: one per successful run, one baseline per task. */
@Injectable()
export class ScoreRepository {
  constructor(private readonly ds: DataSource) {}

  async record(taskId: string, runId: string | null, score: ModelScore, manager: EntityManager = this.ds.manager): Promise<EvaluationEntity> {
    // Idempotent: a re-evaluation after a restart keeps the first stored result.
    const repo = manager.getRepository(EvaluationEntity);
    const existing = runId ? await repo.findOne({ where: { runId } }) : await this.baselineOf(taskId, manager);
    return existing ?? repo.save(repo.create({ taskId, runId, ...score }));
  }

  ofTasks(taskIds: string[], manager: EntityManager = this.ds.manager): Promise<EvaluationEntity[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return manager.getRepository(EvaluationEntity).createQueryBuilder('e').where('e.taskId IN (:...taskIds)', { taskIds }).getMany();
  }

  private async baselineOf(taskId: string, manager: EntityManager = this.ds.manager): Promise<EvaluationEntity | null> {
    return manager
      .getRepository(EvaluationEntity).createQueryBuilder('e').where('e.taskId = :taskId AND e.runId IS NULL', { taskId }).getOne();
  }
}
