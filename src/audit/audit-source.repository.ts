import { Injectable } from '@nestjs/common';
import { DataSource, In, LessThan } from 'typeorm';
import { WeightSetEntity } from '../chain/weight-set.entity';
import { EvaluationEntity } from '../evaluation/evaluation.entity';
import { TrainingRunEntity } from '../runs/training-run.entity';
import { EntrantEntity } from '../submissions/entrant.entity';
import { RoundEntity } from '../tournaments/round.entity';
import { TaskEntity } from '../tournaments/task.entity';
import { TournamentEntity } from '../tournaments/tournament.entity';
import { AuditEventEntity } from './audit-event.entity';

const DECIDED = ['finalised', 'published', 'weights_set', 'completed'];

/** Read-only access to everything a daily audit bundle holds. */
@Injectable()
export class AuditSourceRepository {
  constructor(private readonly ds: DataSource) {}

  /** Tournaments created, updated or finished in [from, to). */
  async tournamentIdsTouched(from: Date, to: Date): Promise<string[]> {
    const rows = await this.ds
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where('(t.updatedAt >= :from AND t.updatedAt < :to) OR (t.createdAt >= :from AND t.createdAt < :to) OR (t.finishedAt >= :from AND t.finishedAt < :to)', { from, to })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** The tournament whose ranking paid the type's pool at `at`: the latest decided cycle finished before it. */
  latestDecidedBefore(type: string, at: Date): Promise<TournamentEntity | null> {
    return this.ds.getRepository(TournamentEntity).findOne({
      where: { type, state: In(DECIDED), finishedAt: LessThan(at) },
      order: { cycle: 'DESC' },
    });
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

  /** Weight vectors settled (set or dry-run) and created in [from, to). */
  weightSets(from: Date, to: Date): Promise<WeightSetEntity[]> {
    return this.ds
      .getRepository(WeightSetEntity)
      .createQueryBuilder('w')
      .where('w.createdAt >= :from AND w.createdAt < :to', { from, to })
      .andWhere(`w.status IN ('set', 'dry_run')`)
      .orderBy('w.createdAt', 'ASC')
      .addOrderBy('w.epoch', 'ASC')
      .getMany();
  }

  events(from: Date, to: Date): Promise<AuditEventEntity[]> {
    return this.ds
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.occurredAt >= :from AND e.occurredAt < :to', { from, to })
      .orderBy('e.id', 'ASC')
      .getMany();
  }
}
