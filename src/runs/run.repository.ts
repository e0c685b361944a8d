import { Injectable } from '@nestjs/common';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { Page, PageRequest } from '../common/pagination';
import { TransactionContext, Transactor } from '../common/transactor';
import { assertRunTransition, RunState } from './run-state';
import { TrainingRunEntity } from './training-run.entity';

export interface RunFilter {
  tournamentId?: string;
  taskId?: string;
  entrantId?: string;
  state?: RunState;
}

/** The columns the steps of a run write besides its state (which only `move` changes). */
export type RunFields = Partial<
  Pick<
    TrainingRunEntity,
    'outcome' | 'outcomeReason' | 'runnerKind' | 'runnerRef' | 'exitCode' | 'imageDigest' | 'logPath' | 'log' | 'artifactPath' | 'artifactSha256' | 'evidence' | 'finishedAt' | 'claimedBy' | 'leaseExpiresAt'
  >
>;

/** A new attempt of (task, entrant): it starts queued. */
export type QueuedRun = Pick<TrainingRunEntity, 'tournamentId' | 'taskId' | 'entrantId' | 'attempt' | 'hardware' | 'queuedAt'>;

@Injectable()
export class RunRepository {
  constructor(
    private readonly db: TransactionContext,
    private readonly tx: Transactor,
  ) {}

  /** Runs in the caller's transaction when there is one. */
  private repo(): Repository<TrainingRunEntity> {
    return this.db.manager().getRepository(TrainingRunEntity);
  }

  findById(id: string): Promise<TrainingRunEntity | null> {
    return this.repo().findOne({ where: { id } });
  }

  /** The run's row, locked until the caller's transaction ends (a worker's record and a round's deadline never interleave). */
  lockById(id: string): Promise<TrainingRunEntity | null> {
    return this.repo().createQueryBuilder('r').where('r.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  /** starting -> running: the sandbox is up; its ref is kept (also once the run is closed) so a restart adopts it and the reconciler can stop it. */
  markStarted(run: TrainingRunEntity, runnerKind: string, runnerRef: string): Promise<void> {
    return this.move(run, 'running', { runnerKind, runnerRef });
  }

  /** running -> evaluating: training left a model; where it is and what the sandbox reported are kept, so a restart resumes at evaluation. */
  markTrained(run: TrainingRunEntity, fields: Pick<RunFields, 'artifactPath' | 'exitCode' | 'imageDigest' | 'logPath' | 'log'>): Promise<void> {
    return this.move(run, 'evaluating', fields);
  }

  /** Any open state -> finished, with the run's one outcome; the claim is released. */
  markFinished(run: TrainingRunEntity, fields: RunFields & Pick<TrainingRunEntity, 'outcome' | 'outcomeReason' | 'finishedAt'>): Promise<void> {
    return this.move(run, 'finished', { ...fields, claimedBy: null, leaseExpiresAt: null });
  }

  /**
   * The one place a run changes state after it is queued (claims aside, which take only queued rows):
   * checked against the state machine (run-state.ts), and the UPDATE matches the run only while it is
   * still in the state `run` was read in, so a concurrent change is refused rather than overwritten.
   */
  private async move(run: TrainingRunEntity, to: RunState, fields: RunFields): Promise<void> {
    assertRunTransition(run.state, to);
    const result = await this.repo()
      .createQueryBuilder()
      .update()
      .set({ ...fields, state: to })
      .where('id = :id AND state = :from', { id: run.id, from: run.state })
      .execute();
    if (result.affected !== 1) throw new Error(`run ${run.id} is no longer ${run.state}; not moved to ${to}`);
    Object.assign(run, fields, { state: to });
  }

  /**
   * Ends every unfinished run of these tasks as infra_failed (a round's deadline passed). A worker
   * still busy with one finds it finished and drops its late result; the reconciler removes the sandbox.
   */
  async closeUnfinished(taskIds: string[], reason: string, now: Date): Promise<TrainingRunEntity[]> {
    if (taskIds.length === 0) return [];
    const open = await this.repo()
      .createQueryBuilder('r')
      .where(`r.taskId IN (:...taskIds) AND r.state <> 'finished'`, { taskIds })
      .orderBy('r.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    for (const run of open) await this.markFinished(run, { outcome: 'infra_failed', outcomeReason: reason, finishedAt: now });
    return open;
  }

  async page(filter: RunFilter, page: PageRequest): Promise<Page<TrainingRunEntity>> {
    const [items, total] = await this.repo().findAndCount({
      where: { ...filter },
      order: { queuedAt: 'ASC', attempt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total, ...page };
  }

  ofTournament(tournamentId: string): Promise<TrainingRunEntity[]> {
    return this.repo().find({ where: { tournamentId }, order: { queuedAt: 'ASC', attempt: 'ASC' } });
  }

  ofTask(taskId: string): Promise<TrainingRunEntity[]> {
    return this.repo().find({ where: { taskId }, order: { attempt: 'ASC' } });
  }

  /**
   * Claims up to `limit` queued runs of a hardware class for this worker. SKIP LOCKED makes a
   * second worker's concurrent claim pick other rows (or none), never the same ones.
   */
  async claimQueued(hardware: string, limit: number, workerId: string, leaseUntil: Date, now: Date): Promise<TrainingRunEntity[]> {
    if (limit <= 0) return [];
    assertRunTransition('queued', 'starting');
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
    const orphaned = (qb: SelectQueryBuilder<TrainingRunEntity>) =>
      qb
        .where(`r.state IN ('starting', 'running', 'evaluating')`)
        // includeOwn: at boot, claims recorded under this worker's id belong to its previous life.
        .andWhere(`(r.leaseExpiresAt IS NULL OR r.leaseExpiresAt < :now${includeOwn ? ' OR r.claimedBy = :workerId' : ''})`, { now, workerId });
    // Nearly every tick finds none: one plain read first keeps such a tick out of a transaction (a run
    // orphaned just after it is claimed on the next tick, as if this tick had come a moment earlier).
    if (!(await orphaned(this.repo().createQueryBuilder('r').select('r.id')).limit(1).getRawOne())) return [];
    return this.claim(orphaned, limit, { claimedBy: workerId, leaseExpiresAt: leaseUntil });
  }

  /** Locks the selected rows (skipping rows another worker holds), applies `set`, returns them. */
  private claim(
    select: (qb: SelectQueryBuilder<TrainingRunEntity>) => SelectQueryBuilder<TrainingRunEntity>,
    limit: number,
    set: Partial<Pick<TrainingRunEntity, 'state' | 'claimedBy' | 'leaseExpiresAt' | 'startedAt'>>,
  ): Promise<TrainingRunEntity[]> {
    return this.tx.run(async () => {
      const repo = this.repo();
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
    await this.repo()
      .createQueryBuilder()
      .update()
      .set({ leaseExpiresAt: leaseUntil })
      .where('id IN (:...runIds) AND "claimedBy" = :workerId', { runIds, workerId })
      .execute();
  }

  /** Hardware classes with queued runs of active tournaments: what the dispatcher claims for, whatever those tournaments' steps did this tick. */
  async queuedHardwareClasses(): Promise<string[]> {
    const rows: Array<{ hardware: string }> = await this.db.manager().query(
      `SELECT DISTINCT r.hardware FROM training_runs r JOIN tournaments t ON t.id = r."tournamentId"
       WHERE r.state = 'queued' AND t.state NOT IN ('completed', 'cancelled') ORDER BY 1`,
    );
    return rows.map((r) => r.hardware);
  }

  /** Ids of runs the database considers live (for the sandbox reconciler). */
  async liveRunIds(): Promise<string[]> {
    const rows = await this.repo()
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where(`r.state <> 'finished'`)
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** (id, attempt) of every run not finished: their folders on the worker must stay. */
  async liveRunAttempts(): Promise<Array<{ id: string; attempt: number }>> {
    const rows = await this.repo()
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .addSelect('r.attempt', 'attempt')
      .where(`r.state <> 'finished'`)
      .getRawMany<{ id: string; attempt: number }>();
    return rows.map((r) => ({ id: r.id, attempt: Number(r.attempt) }));
  }

  ofRound(taskIds: string[]): Promise<TrainingRunEntity[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return this.repo()
      .createQueryBuilder('r')
      .where('r.taskId IN (:...taskIds)', { taskIds })
      .orderBy('r.attempt', 'ASC')
      .getMany();
  }

  /** Queues one more attempt of a (task, entrant): a retry after a failure. */
  async queueAttempt(run: QueuedRun): Promise<void> {
    const repo = this.repo();
    await repo.insert(repo.create({ ...run, state: 'queued' }));
  }

  /** Queues the first attempts of a new round (in batches: a large round has thousands). */
  async queueAll(runs: QueuedRun[]): Promise<void> {
    const repo = this.repo();
    for (let i = 0; i < runs.length; i += 500) await repo.insert(runs.slice(i, i + 500).map((run) => repo.create({ ...run, state: 'queued' })));
  }
}
