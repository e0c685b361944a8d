import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { WeightSetEntity } from '../chain/weight-set.entity';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import { TrainingRunEntity } from '../runs/training-run.entity';
import { EntrantEntity } from '../submissions/entrant.entity';
import { RoundEntity } from '../tournaments/round.entity';
import { TaskEntity } from '../tournaments/task.entity';
import { TournamentEntity } from '../tournaments/tournament.entity';
import { AuditEventEntity } from './audit-event.entity';

/** Read-only access to everything an audit bundle holds. */
@Injectable()
export class AuditSourceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Completed tournaments whose evidence has no bundle yet, in the order they finished. */
  async completedTournamentsNotSealed(): Promise<string[]> {
    const rows = await this.ds
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where(`t.state = 'completed'`)
      .andWhere(`NOT EXISTS (SELECT 1 FROM audit_bundles b WHERE b.kind = 'tournament' AND b.subject = t.id::text)`)
      .orderBy('t.finishedAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** The model file and sha256 of every scored run of a tournament. */
  async scoredModels(tournamentId: string): Promise<Array<{ artifactPath: string; modelSha256: string }>> {
    return this.ds
      .getRepository(TrainingRunEntity)
      .createQueryBuilder('r')
      .innerJoin(EvaluationEntity, 'e', 'e.runId = r.id')
      .select('r.artifactPath', 'artifactPath')
      .addSelect('e.modelSha256', 'modelSha256')
      .where('r.tournamentId = :tournamentId AND r.artifactPath IS NOT NULL', { tournamentId })
      .getRawMany<{ artifactPath: string; modelSha256: string }>();
  }

  /** Whether a model with this sha256 was scored, and whether a task it was scored on has revealed its seed. */
  async modelStatus(sha256: string): Promise<{ scored: boolean; revealed: boolean }> {
    const rows = await this.ds
      .getRepository(EvaluationEntity)
      .createQueryBuilder('e')
      .innerJoin(TaskEntity, 't', 't.id = e.taskId')
      .select('t.revealedSeed IS NOT NULL', 'revealed')
      .where('e.modelSha256 = :sha256 AND e.runId IS NOT NULL', { sha256 })
      .getRawMany<{ revealed: boolean }>();
    return { scored: rows.length > 0, revealed: rows.some((r) => r.revealed) };
  }

  /** Weight vectors settled (set or dry-run) without a bundle yet, oldest first. */
  weightSetsNotSealed(): Promise<WeightSetEntity[]> {
    return this.ds
      .getRepository(WeightSetEntity)
      .createQueryBuilder('w')
      .where(`w.status IN ('set', 'dry_run')`)
      .andWhere(`NOT EXISTS (SELECT 1 FROM audit_bundles b WHERE b.kind = 'weights' AND b.subject = w.id::text)`)
      .orderBy('w.createdAt', 'ASC')
      .addOrderBy('w.epoch', 'ASC')
      .getMany();
  }

  tournaments(ids: string[]): Promise<TournamentEntity[]> {
    return this.ds.getRepository(TournamentEntity).find({ where: { id: In(ids) }, order: { type: 'ASC', cycle: 'ASC' } });
  }

  rounds(tournamentIds: string[]): Promise<RoundEntity[]> {
    return this.ds.getRepository(RoundEntity).find({ where: { tournamentId: In(tournamentIds) }, order: { tournamentId: 'ASC', index: 'ASC' } });
  }

  tasks(tournamentIds: string[]): Promise<TaskEntity[]> {
    return this.ds.getRepository(TaskEntity).find({ where: { tournamentId: In(tournamentIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  entrants(tournamentIds: string[]): Promise<EntrantEntity[]> {
    return this.ds.getRepository(EntrantEntity).find({ where: { tournamentId: In(tournamentIds) }, order: { receivedAt: 'ASC', id: 'ASC' } });
  }

  runs(tournamentIds: string[]): Promise<TrainingRunEntity[]> {
    return this.ds.getRepository(TrainingRunEntity).find({ where: { tournamentId: In(tournamentIds) }, order: { queuedAt: 'ASC', id: 'ASC' } });
  }

  evaluations(taskIds: string[]): Promise<EvaluationEntity[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return this.ds.getRepository(EvaluationEntity).find({ where: { taskId: In(taskIds) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Audit-log events after the event `afterId` (all when null), in order. */
  eventsAfter(afterId: string | null): Promise<AuditEventEntity[]> {
    return this.ds
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.id > :afterId', { afterId: afterId ?? '0' })
      .orderBy('e.id', 'ASC')
      .getMany();
  }
}
