import { Injectable } from '@nestjs/common';
import { Page, PageRequest } from '../common/pagination';
import { TransactionContext } from '../common/transactor';
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
  constructor(private readonly db: TransactionContext) {}

  /** In the caller's transaction when there is one (Transactor), else on the pool. */
  private get m() {
    return this.db.manager();
  }

  async insert(values: Partial<TournamentEntity>): Promise<TournamentEntity> {
    const repo = this.m.getRepository(TournamentEntity);
    return repo.save(repo.create(values));
  }

  findById(id: string): Promise<TournamentEntity | null> {
    return this.m.getRepository(TournamentEntity).findOne({ where: { id } });
  }

  /** Row-locks the tournament for the rest of the transaction (skipping it if another worker holds it). */
  async lockForUpdate(id: string): Promise<TournamentEntity | null> {
    return this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .where('t.id = :id', { id })
      .getOne();
  }

  async page(filter: TournamentFilter, page: PageRequest): Promise<Page<TournamentEntity>> {
    const qb = this.m.getRepository(TournamentEntity).createQueryBuilder('t');
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
    return this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where(`t.state = 'registration'`)
      .andWhere('t.registrationClosesAt > :now', { now })
      .orderBy('t.registrationClosesAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .getMany();
  }

  activeOfType(type: string): Promise<TournamentEntity | null> {
    return this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where('t.type = :type', { type })
      .andWhere(`t.state NOT IN ('completed', 'cancelled')`)
      .getOne();
  }

  /** The types that have a tournament still running or scheduled. */
  async typesWithActive(): Promise<string[]> {
    const rows = await this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .select('DISTINCT t.type', 'type')
      .where(`t.state NOT IN ('completed', 'cancelled')`)
      .getRawMany<{ type: string }>();
    return rows.map((r) => r.type);
  }

  lastCompletedOfType(type: string): Promise<TournamentEntity | null> {
    return this.m.getRepository(TournamentEntity).findOne({ where: { type, state: 'completed' }, order: { cycle: 'DESC' } });
  }

  /** The latest tournament of a type whose result is decided (it pays that type's weight pool). */
  latestDecidedOfType(type: string): Promise<TournamentEntity | null> {
    return this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .where('t.type = :type', { type })
      .andWhere(`t.state IN ('finalised', 'published', 'weights_set', 'completed')`)
      .orderBy('t.cycle', 'DESC')
      .getOne();
  }

  async latestOfType(type: string): Promise<TournamentEntity | null> {
    return this.m.getRepository(TournamentEntity).findOne({ where: { type }, order: { cycle: 'DESC' } });
  }

  /** Ids of tournaments that still need the scheduler's attention. */
  async activeIds(): Promise<string[]> {
    const rows = await this.m
      .getRepository(TournamentEntity)
      .createQueryBuilder('t')
      .select('t.id', 'id')
      .where(`t.state NOT IN ('completed', 'cancelled')`)
      .orderBy('t.registrationOpensAt', 'ASC')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /**
   * Writes a state change with what the step decided alongside it (dates, ranking, winner,
   * publication), as the step left the locked row. Only TournamentTransitions calls it.
   */
  async recordTransition(tournament: TournamentEntity): Promise<void> {
    await this.m.getRepository(TournamentEntity).save(tournament);
  }

  /** A new reason for the state the tournament is in (progress bookkeeping, no transition). */
  async setStateReason(tournament: TournamentEntity, reason: string): Promise<void> {
    tournament.stateReason = reason;
    await this.m.getRepository(TournamentEntity).update({ id: tournament.id }, { stateReason: reason });
  }

  /** The organiser ends registration now: the window closes (and opens, if it had not yet) at `now`. */
  async closeRegistrationAt(tournament: TournamentEntity, now: Date): Promise<void> {
    if (tournament.registrationOpensAt > now) tournament.registrationOpensAt = now;
    tournament.registrationClosesAt = now;
    await this.m
      .getRepository(TournamentEntity)
      .update({ id: tournament.id }, { registrationOpensAt: tournament.registrationOpensAt, registrationClosesAt: now });
  }

  rounds(tournamentId: string): Promise<RoundEntity[]> {
    return this.m.getRepository(RoundEntity).find({ where: { tournamentId }, order: { index: 'ASC' } });
  }

  tasks(tournamentId: string): Promise<TaskEntity[]> {
    return this.m.getRepository(TaskEntity).find({ where: { tournamentId }, order: { createdAt: 'ASC', slot: 'ASC' } });
  }

  tasksOfRound(roundId: string): Promise<TaskEntity[]> {
    return this.m.getRepository(TaskEntity).find({ where: { roundId }, order: { slot: 'ASC', createdAt: 'ASC' } });
  }

  /** Which of these ids are tasks in the database. */
  async existingTaskIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.m.getRepository(TaskEntity).createQueryBuilder('t').select('t.id', 'id').where('t.id IN (:...ids)', { ids }).getRawMany<{ id: string }>();
    return new Set(rows.map((r) => r.id));
  }

  findTask(id: string): Promise<TaskEntity | null> {
    return this.m.getRepository(TaskEntity).findOne({ where: { id } });
  }

  async insertRound(values: Partial<RoundEntity>): Promise<RoundEntity> {
    const repo = this.m.getRepository(RoundEntity);
    return repo.save(repo.create(values));
  }

  /** A training round's progress: its state, why, and the bookkeeping in its decision record (deadline, infra wait). */
  async recordRoundProgress(round: RoundEntity): Promise<void> {
    await this.m.getRepository(RoundEntity).save(round);
  }

  /** The round is decided: its decision record and who advances, set by the caller, are written with the state. */
  async markRoundDecided(round: RoundEntity, now: Date): Promise<void> {
    round.state = 'decided';
    round.stateReason = null;
    round.decidedAt = now;
    await this.m.getRepository(RoundEntity).save(round);
  }

  async insertTask(values: Partial<TaskEntity>): Promise<TaskEntity> {
    const repo = this.m.getRepository(TaskEntity);
    return repo.save(repo.create(values));
  }

  /** After the tournament: the secret seeds of its tasks not yet revealed are published (and `tasks` updated to match). */
  async revealSeeds(tasks: TaskEntity[], now: Date): Promise<void> {
    for (const task of tasks) {
      if (task.revealedSeed) continue;
      task.revealedSeed = task.secretSeed;
      task.revealedAt = now;
      await this.m.getRepository(TaskEntity).update({ id: task.id }, { revealedSeed: task.secretSeed, revealedAt: now });
    }
  }
}
