import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageRequest } from '../common/pagination';
import type { RunState } from './run-state';
import { TrainingRunEntity } from './training-run.entity';

export interface RunFilter {
  tournamentId?: string;
  taskId?: string;
  entrantId?: string;
  state?: RunState;
}

@Injectable()
export class RunRepository {
  constructor(private readonly ds: DataSource) {}

  findById(id: string, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity | null> {
    return manager.getRepository(TrainingRunEntity).findOne({ where: { id } });
  }

  async page(filter: RunFilter, page: PageRequest): Promise<Page<TrainingRunEntity>> {
    const [items, total] = await this.ds.getRepository(TrainingRunEntity).findAndCount({
      where: { ...filter },
      order: { queuedAt: 'ASC', attempt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total, ...page };
  }

  ofTournament(tournamentId: string, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity[]> {
    return manager.getRepository(TrainingRunEntity).find({ where: { tournamentId }, order: { queuedAt: 'ASC', attempt: 'ASC' } });
  }

  ofTask(taskId: string, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity[]> {
    return manager.getRepository(TrainingRunEntity).find({ where: { taskId }, order: { attempt: 'ASC' } });
  }

  async insert(values: Partial<TrainingRunEntity>, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity> {
    const repo = manager.getRepository(TrainingRunEntity);
    return repo.save(repo.create(values));
  }

  async save(run: TrainingRunEntity, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity> {
    return manager.getRepository(TrainingRunEntity).save(run);
  }
}
