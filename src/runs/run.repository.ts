import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { Page, PageRequest } from '../common/pagination';
import type { RunState } from './run-state';
import { TrainingRunEntity } from './training-run.entity';

export interface RunFilter {
  tournamentId?: string;
  taskId?: string;
  entrantId?: string;
  state?: RunState;
}

/** The columns the steps of a run write. */
export type RunFields = Partial<
  Pick<
    TrainingRunEntity,
    'state' | 'outcome' | 'outcomeReason' | 'runnerKind' | 'runnerRef' | 'exitCode' | 'imageDigest' | 'logPath' | 'log' | 'artifactPath' | 'artifactSha256' | 'evidence' | 'finishedAt' | 'claimedBy' | 'leaseExpiresAt'
  >
>;

@Injectable()
export class RunRepository {
  constructor(private readonly ds: DataSource) {}

  findById(id: string, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity | null> {
    return manager.getRepository(TrainingRunEntity).findOne({ where: { id } });
  }

  /** The run's row, locked until the transaction ends (a worker's record and a round's deadline never interleave). */
  lockById(id: string, manager: EntityManager): Promise<TrainingRunEntity | null> {
    return manager.getRepository(TrainingRunEntity).createQueryBuilder('r').where('r.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  /**
   * Ends every unfinished run of these tasks as infra_failed (a round's deadline passed). A worker
   * still busy with one finds it finished and drops its late result; the reconciler removes the sandbox.
   */
  async closeUnfinished(taskIds: string[], reason: string, now: Date, manager: EntityManager): Promise<TrainingRunEntity[]> {
    if (taskIds.length === 0) return [];
    const repo = manager.getRepository(TrainingRunEntity);
    const open = await repo
      .createQueryBuilder('r')
      .where(`r.taskId IN (:...taskIds) AND r.state <> 'finished'`, { taskIds })
      .orderBy('r.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    for (const run of open) {
      Object.assign(run, { state: 'finished', outcome: 'infra_failed', outcomeReason: reason, finishedAt: now, claimedBy: null, leaseExpiresAt: null });
      await repo.save(run);
    }
    return open;
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

  /**
   * Claims up to `limit` queued runs of a hardware class for this worker. SKIP LOCKED makes a
   * second worker's concurrent claim pick other rows (or none), never the same ones.
   */
  async claimQueued(hardware: string, limit: number, workerId: string, leaseUntil: Date, now: Date): Promise<TrainingRunEntity[]> {
    if (limit <= 0) return [];
    return this.claim(
      (qb) => qb.where(`r.state = 'queued' AND r.hardware = :hardware`, { hardware }).addOrderBy('r.id', 'ASC'),
      limit,
      { state: 'starting', claimedBy: workerId, leaseExpiresAt: leaseUntil, startedAt: now },
    );
  }

  /**
   * Claims runs another (dead) worker left mid-flight: their lease ran out. The caller adopts
   * the container or Job instead of starting a new one, so nothing runs twice.
   */
  async claimOrphans(workerId: string, leaseUntil: Date, now: Date, limit: number, includeOwn = false): Promise<TrainingRunEntity[]> {
    return this.claim(
      (qb) =>
        qb
          .where(`r.state IN ('starting', 'running', 'evaluating')`)
          // includeOwn: at boot, claims recorded under this worker's id belong to its previous life.
          .andWhere(`(r.leaseExpiresAt IS NULL OR r.leaseExpiresAt < :now${includeOwn ? ' OR r.claimedBy = :workerId' : ''})`, { now, workerId }),
      limit,
      { claimedBy: workerId, leaseExpiresAt: leaseUntil },
    );
  }

  /** Locks the selected rows (skipping rows another worker holds), applies `set`, returns them. */
  private claim(
    select: (qb: SelectQueryBuilder<TrainingRunEntity>) => SelectQueryBuilder<TrainingRunEntity>,
    limit: number,
    set: Partial<Pick<TrainingRunEntity, 'state' | 'claimedBy' | 'leaseExpiresAt' | 'startedAt'>>,
  ): Promise<TrainingRunEntity[]> {
    return this.ds.transaction(async (manager) => {
      const repo = manager.getRepository(TrainingRunEntity);
      const rows = await select(repo.createQueryBuilder('r').select('r.id').orderBy('r.queuedAt', 'ASC'))
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      await repo.createQueryBuilder().update().set(set).whereInIds(ids).execute();
      return repo.findBy({ id: In(ids) });
    });
  }

  /** Extends this worker's claims; returns nothing, a lost claim shows up as an orphan elsewhere. */
  async renewLeases(runIds: string[], workerId: string, leaseUntil: Date): Promise<void> {
    if (runIds.length === 0) return;
    await this.ds
      .getRepository(TrainingRunEntity)
      .createQueryBuilder()
      .update()
      .set({ leaseExpiresAt: leaseUntil })
      .where('id IN (:...runIds) AND "claimedBy" = :workerId', { runIds, workerId })
      .execute();
  }

  /** Hardware classes with queued runs of active tournaments: what the dispatcher claims for, whatever those tournaments' steps did this tick. */
  async queuedHardwareClasses(): Promise<string[]> {
    const rows: Array<{ hardware: string }> = await this.ds.query(
      `SELECT DISTINCT r.hardware FROM training_runs r JOIN tournaments t ON t.id = r."tournamentId"
       WHERE r.state = 'queued' AND t.state NOT IN ('completed', 'cancelled') ORDER BY 1`,
    );
    return rows.map((r) => r.hardware);
  }

  /** Ids of runs the database considers live (for the sandbox reconciler). */
  async liveRunIds(): Promise<string[]> {
    const rows = await this.ds
      .getRepository(TrainingRunEntity)
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where(`r.state <> 'finished'`)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** (id, attempt) of every run not finished: their folders on the worker must stay. */
  async liveRunAttempts(): Promise<Array<{ id: string; attempt: number }>> {
    const rows = await this.ds
      .getRepository(TrainingRunEntity)
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .addSelect('r.attempt', 'attempt')
      .where(`r.state <> 'finished'`)
      .getRawMany<{ id: string; attempt: number }>();
    return rows.map((r) => ({ id: r.id, attempt: Number(r.attempt) }));
  }

  ofRound(taskIds: string[], manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return manager
      .getRepository(TrainingRunEntity)
      .createQueryBuilder('r')
      .where('r.taskId IN (:...taskIds)', { taskIds })
      .orderBy('r.attempt', 'ASC')
      .getMany();
  }

  async insert(values: Partial<TrainingRunEntity>, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity> {
    const repo = manager.getRepository(TrainingRunEntity);
    return repo.save(repo.create(values));
  }

  async insertMany(values: Partial<TrainingRunEntity>[], manager: EntityManager): Promise<void> {
    if (values.length === 0) return;
    const repo = manager.getRepository(TrainingRunEntity);
    for (let i = 0; i < values.length; i += 500) await repo.insert(values.slice(i, i + 500).map((v) => repo.create(v)));
  }

  async save(run: TrainingRunEntity, manager: EntityManager = this.ds.manager): Promise<TrainingRunEntity> {
    return manager.getRepository(TrainingRunEntity).save(run);
  }

  /**
   * Writes only `fields` of one run: a step records what it learnt without writing back what another
   * step (or the lease renewal) wrote since the run was loaded.
   */
  async record(runId: string, fields: RunFields, manager: EntityManager = this.ds.manager): Promise<void> {
    await manager.getRepository(TrainingRunEntity).update({ id: runId }, fields);
  }
}
