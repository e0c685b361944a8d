import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageRequest } from '../common/pagination';
import { RoundEntity } from './round.entity';
import { TaskEntity } from './task.entity';
import { TournamentEntity } from './tournament.entity';
import type { TournamentState } from './tournament-state';

export interface TournamentFilter {
  type?: string;
  state?: TournamentState;
}

@Injectable()
export class TournamentRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(values: Partial<TournamentEntity>, manager: EntityManager = this.ds.manager): Promise<TournamentEntity> {
    const repo = manager.getRepository(TournamentEntity);
    return repo.save(repo.create(values));
  }

  findById(id: string, manager: EntityManager = this.ds.manager): Promise<TournamentEntity | null> {
    return manager.getRepository(TournamentEntity).findOne({ where: { id } });
  }

  /** Row-locks the tournament for the rest of the transaction (skipping it if another worker holds it). */
  async lockForUpdate(id: string, manager: EntityManager): Promise<TournamentEntity | null> {
    return manager
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .where('t.id = :id', { id })
      .getOne();
  }

  async page(filter: TournamentFilter, page: PageRequest): Promise<Page<TournamentEntity>> {
    const qb = this.ds.getRepository(TournamentEntity).createQueryBuilder('t');
    if (filter.type) qb.andWhere('t.type = :type', { type: filter.type });
    if (filter.state) qb.andWhere('t.state = :state', { state: filter.state });
    const [items, total] = await qb
      .orderBy('t.registrationOpensAt', 'DESC')
      .addOrderBy('t.id', 'ASC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
    return { items, total, ...page };
  }

  /** Every tournament (of any type) whose registration window is open now, earliest closing first. */
  allOpenForRegistration(now: Date): Promise<TournamentEntity[]> {
    return this.ds
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where(`t.state = 'registration'`)
      .andWhere('t.registrationClosesAt > :now', { now })
      .orderBy('t.registrationClosesAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
  }

  activeOfType(type: string, manager: EntityManager = this.ds.manager): Promise<TournamentEntity | null> {
    return manager
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where('t.type = :type', { type })
      .andWhere(`t.state NOT IN ('completed', 'cancelled')`)
      .getOne();
  }

  lastCompletedOfType(type: string, manager: EntityManager = this.ds.manager): Promise<TournamentEntity | null> {
    return manager.getRepository(TournamentEntity).findOne({ where: { type, state: 'completed' }, order: { cycle: 'DESC' } });
  }

  /** The latest tournament of a type whose result is decided (it pays that type's weight pool). */
  latestDecidedOfType(type: string): Promise<TournamentEntity | null> {
    return this.ds
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where('t.type = :type', { type })
      .andWhere(`t.state IN ('finalised', 'published', 'weights_set', 'completed')`)
      .orderBy('t.cycle', 'DESC')
      .getOne();
  }

  async latestOfType(type: string, manager: EntityManager = this.ds.manager): Promise<TournamentEntity | null> {
    return manager.getRepository(TournamentEntity).findOne({ where: { type }, order: { cycle: 'DESC' } });
  }

  /** Ids of tournaments that still need the scheduler's attention. */
  async activeIds(): Promise<string[]> {
    const rows = await this.ds
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where(`t.state NOT IN ('completed', 'cancelled')`)
      .orderBy('t.registrationOpensAt', 'ASC')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async save(tournament: TournamentEntity, manager: EntityManager = this.ds.manager): Promise<TournamentEntity> {
    return manager.getRepository(TournamentEntity).save(tournament);
  }

  rounds(tournamentId: string, manager: EntityManager = this.ds.manager): Promise<RoundEntity[]> {
    return manager.getRepository(RoundEntity).find({ where: { tournamentId }, order: { index: 'ASC' } });
  }

  tasks(tournamentId: string, manager: EntityManager = this.ds.manager): Promise<TaskEntity[]> {
    return manager.getRepository(TaskEntity).find({ where: { tournamentId }, order: { createdAt: 'ASC', slot: 'ASC' } });
  }

  tasksOfRound(roundId: string, manager: EntityManager = this.ds.manager): Promise<TaskEntity[]> {
    return manager.getRepository(TaskEntity).find({ where: { roundId }, order: { slot: 'ASC', createdAt: 'ASC' } });
  }

  /** Which of these ids are tasks in the database. */
  async existingTaskIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.ds.getRepository(TaskEntity).createQueryBuilder('t').select('t.id', 'id').where('t.id IN (:...ids)', { ids }).getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }

  findTask(id: string, manager: EntityManager = this.ds.manager): Promise<TaskEntity | null> {
    return manager.getRepository(TaskEntity).findOne({ where: { id } });
  }

  async insertRound(values: Partial<RoundEntity>, manager: EntityManager): Promise<RoundEntity> {
    const repo = manager.getRepository(RoundEntity);
    return repo.save(repo.create(values));
  }

  async saveRound(round: RoundEntity, manager: EntityManager = this.ds.manager): Promise<RoundEntity> {
    return manager.getRepository(RoundEntity).save(round);
  }

  async insertTask(values: Partial<TaskEntity>, manager: EntityManager): Promise<TaskEntity> {
    const repo = manager.getRepository(TaskEntity);
    return repo.save(repo.create(values));
  }

  async saveTask(task: TaskEntity, manager: EntityManager = this.ds.manager): Promise<TaskEntity> {
    return manager.getRepository(TaskEntity).save(task);
  }
}
