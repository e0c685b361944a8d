import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { AuditEventRepository } from '../../src/audit/audit-event.repository';
import { AsyncLocalTransactor } from '../../src/db/async-local-transactor';
import { openDataSource } from '../../src/db/data-source';
import { RunRepository } from '../../src/runs/run.repository';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { createTestDatabase, ENGINES, TestDatabase } from '../support/databases';

/**
 * The transaction helper (src/common/transactor.ts) and the run state machine as production uses
 * them, on both engines: repositories join the transaction they are called in without being handed
 * a manager, and a run changes state only along run-state.ts, only from the state it was read in.
 */
describe.each(ENGINES)('transactions and run transitions on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;
  let tx: AsyncLocalTransactor;
  let runs: RunRepository;
  let audit: AuditEventRepository;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    ds = await openDataSource(db.config, { migrate: true });
    tx = new AsyncLocalTransactor(ds);
    runs = new RunRepository(tx, tx);
    audit = new AuditEventRepository(tx);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const hardware = () => `test-${randomUUID().slice(0, 8)}`;
  const queue = async (hw: string) => {
    const taskId = randomUUID();
    await runs.queueAttempt({ tournamentId: randomUUID(), taskId, entrantId: randomUUID(), attempt: 1, hardware: hw, queuedAt: new Date() });
    return taskId;
  };
  const stateOf = async (id: string) => (await ds.getRepository(TrainingRunEntity).findOneByOrFail({ id })).state;
  const auditCount = (subjectId: string) => ds.getRepository(AuditEventEntity).countBy({ subjectId });

  it('rolls back every repository write made inside run when the work throws, nested runs included', async () => {
    const hw = hardware();
    const subjectId = randomUUID();
    await expect(
      tx.run(async () => {
        await queue(hw);
        await tx.run(() => audit.append({ actor: 'test', action: 'test.nested', subjectType: 'test', subjectId, payload: {}, occurredAt: new Date() }));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await ds.getRepository(TrainingRunEntity).countBy({ hardware: hw })).toBe(0);
    expect(await auditCount(subjectId)).toBe(0);

    await tx.run(async () => {
      await queue(hw);
      await audit.append({ actor: 'test', action: 'test.kept', subjectType: 'test', subjectId, payload: {}, occurredAt: new Date() });
    });
    expect(await ds.getRepository(TrainingRunEntity).countBy({ hardware: hw })).toBe(1);
    expect(await auditCount(subjectId)).toBe(1);
  });

  it('moves a run queued -> starting -> running -> evaluating -> finished', async () => {
    const hw = hardware();
    await queue(hw);
    const [run] = await runs.claimQueued(hw, 1, 'worker-a', new Date(Date.now() + 60_000), new Date());
    expect(run.state).toBe('starting');
    await tx.run(async () => runs.markStarted((await runs.lockById(run.id))!, 'memory', 'ref-1'));
    expect(await stateOf(run.id)).toBe('running');
    await tx.run(async () => runs.markTrained((await runs.lockById(run.id))!, { artifactPath: '/m.onnx', exitCode: 0, imageDigest: null, logPath: null }));
    expect(await stateOf(run.id)).toBe('evaluating');
    await tx.run(async () => runs.markFinished((await runs.lockById(run.id))!, { outcome: 'succeeded', outcomeReason: 'ok', finishedAt: new Date() }));
    const done = await ds.getRepository(TrainingRunEntity).findOneByOrFail({ id: run.id });
    expect(done).toMatchObject({ state: 'finished', outcome: 'succeeded', runnerRef: 'ref-1', artifactPath: '/m.onnx', claimedBy: null, leaseExpiresAt: null });
  });

  it('refuses a transition the state machine does not allow, and leaves the row as it was', async () => {
    const hw = hardware();
    await queue(hw);
    const [run] = await runs.claimQueued(hw, 1, 'worker-a', new Date(Date.now() + 60_000), new Date());
    // starting -> evaluating skips running: refused.
    await expect(tx.run(async () => runs.markTrained((await runs.lockById(run.id))!, { artifactPath: '/m.onnx' }))).rejects.toThrow('illegal run transition starting -> evaluating');
    expect(await stateOf(run.id)).toBe('starting');

    await tx.run(async () => runs.markFinished((await runs.lockById(run.id))!, { outcome: 'miner_failed', outcomeReason: 'exit 1', finishedAt: new Date() }));
    // A finished run never starts again.
    await expect(tx.run(async () => runs.markStarted((await runs.lockById(run.id))!, 'memory', 'late'))).rejects.toThrow('illegal run transition finished -> running');
    const row = await ds.getRepository(TrainingRunEntity).findOneByOrFail({ id: run.id });
    expect(row).toMatchObject({ state: 'finished', outcome: 'miner_failed', runnerRef: null });
  });

  it('refuses a change from a state the run has already left (the guarded UPDATE), without overwriting it', async () => {
    const hw = hardware();
    const taskId = await queue(hw);
    const [stale] = await runs.claimQueued(hw, 1, 'worker-a', new Date(Date.now() + 60_000), new Date());
    // The round's deadline closes the run while a worker still holds its old copy (state starting).
    const closed = await tx.run(() => runs.closeUnfinished([taskId], 'deadline', new Date()));
    expect(closed.map((r) => [r.id, r.state])).toEqual([[stale.id, 'finished']]);
    expect(stale.state).toBe('starting');
    await expect(runs.markStarted(stale, 'memory', 'late')).rejects.toThrow(`run ${stale.id} is no longer starting`);
    const row = await ds.getRepository(TrainingRunEntity).findOneByOrFail({ id: stale.id });
    expect(row).toMatchObject({ state: 'finished', outcome: 'infra_failed', outcomeReason: 'deadline', runnerRef: null });
  });
});
