import { DataSource } from 'typeorm';
import { openDataSource, pendingMigrations, schemaDrift } from '../../src/db/data-source';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { createTestDatabase, ENGINES, TestDatabase } from '../support/databases';

describe.each(ENGINES)('schema on %s', (engine) => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    // Empty: the suite runs the migrations itself (other suites start from a migrated template).
    db = await createTestDatabase(engine, { empty: true });
    ds = await openDataSource(db.config, { migrate: true });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('applies every migration', async () => {
    expect(await pendingMigrations(ds)).toEqual([]);
  });

  // The drift check CI relies on: entities changed without a migration make this fail.
  it('has migrations that match the entities exactly', async () => {
    expect(await schemaDrift(ds)).toEqual([]);
  });

  it('refuses to update or delete audit events', async () => {
    const repo = ds.getRepository(AuditEventEntity);
    const saved = await repo.save(
      repo.create({ actor: 'test', action: 'x', subjectType: 't', subjectId: '1', payload: { a: 1 }, occurredAt: new Date() }),
    );
    await expect(repo.update({ id: saved.id }, { action: 'y' })).rejects.toThrow(/append-only/);
    await expect(repo.delete({ id: saved.id })).rejects.toThrow(/append-only/);
    expect((await repo.findOneByOrFail({ id: saved.id })).action).toBe('x');
  });

  it('records a live event when a weight set changes status or block, and none for other columns', async () => {
    const [{ id }] = await ds.query(
      `INSERT INTO weight_sets (netuid, epoch, uids, "values", floats, "versionKey", status) VALUES (1, 7, '{1}', '{65535}', '[1]', '0', 'pending') RETURNING id`,
    );
    await ds.query(`UPDATE weight_sets SET tries = 1 WHERE id = $1`, [id]);
    await ds.query(`UPDATE weight_sets SET status = 'set', block = 42 WHERE id = $1`, [id]);
    const events = await ds.query(`SELECT type, "tournamentId", data FROM events WHERE data->>'weightSetId' = $1 ORDER BY id`, [id]);
    expect(events.map((e: { type: string; tournamentId: string | null; data: Record<string, unknown> }) => [e.type, e.tournamentId, e.data.status, e.data.block, e.data.epoch])).toEqual([
      ['weights', null, 'pending', null, 7],
      ['weights', null, 'set', 42, 7],
    ]);
  });

  it('serialises concurrent transactions without mixing their writes', async () => {
    const repo = ds.getRepository(AuditEventEntity);
    const write = (i: number, fail: boolean) =>
      ds.transaction(async (m) => {
        await m.getRepository(AuditEventEntity).save(
          repo.create({ actor: 'tx', action: `a${i}`, subjectType: 'tx', subjectId: String(i), payload: {}, occurredAt: new Date() }),
        );
        await new Promise((r) => setTimeout(r, 5));
        if (fail) throw new Error('rollback');
      });
    const results = await Promise.allSettled([write(1, true), write(2, false), write(3, true), write(4, false)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const kept = (await repo.find({ where: { actor: 'tx' } })).map((e) => e.subjectId).sort();
    expect(kept).toEqual(['2', '4']);
  });

  it('lets the event loop turn between queued queries (the server keeps accepting under load)', async () => {
    let finished = 0;
    const queries = Array.from({ length: 30 }, () => ds.query('SELECT 1').then(() => finished++));
    const seenByTheLoop = await new Promise<number>((resolve) => setImmediate(() => resolve(finished)));
    await Promise.all(queries);
    expect(seenByTheLoop).toBeLessThan(30);
  });
});
