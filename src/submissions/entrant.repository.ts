import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageRequest } from '../common/pagination';
import { EntrantEntity } from './entrant.entity';

@Injectable()
export class EntrantRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(values: Partial<EntrantEntity>, manager: EntityManager = this.ds.manager): Promise<EntrantEntity> {
    const repo = manager.getRepository(EntrantEntity);
    return repo.save(repo.create(values));
  }

  findById(id: string, manager: EntityManager = this.ds.manager): Promise<EntrantEntity | null> {
    return manager.getRepository(EntrantEntity).findOne({ where: { id } });
  }

  async page(tournamentId: string, page: PageRequest): Promise<Page<EntrantEntity>> {
    const [items, total] = await this.ds.getRepository(EntrantEntity).findAndCount({
      where: { tournamentId },
      order: { receivedAt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total, ...page };
  }

  /** Accepted entrants in priority order (earlier submission first). */
  accepted(tournamentId: string, manager: EntityManager = this.ds.manager): Promise<EntrantEntity[]> {
    return manager.getRepository(EntrantEntity).find({
      where: { tournamentId, status: 'accepted' },
      order: { receivedAt: 'ASC', id: 'ASC' },
    });
  }

  findLive(tournamentId: string, by: { hotkey?: string; coldkey?: string; treeHash?: string }, manager: EntityManager = this.ds.manager) {
    return manager.getRepository(EntrantEntity).findOne({ where: { tournamentId, status: 'accepted', ...by } });
  }

  /** The chain commitments already turned into a row in this tournament, accepted or rejected, as `hotkey@block`. */
  async commitmentsSeen(tournamentId: string, manager: EntityManager = this.ds.manager): Promise<Set<string>> {
    const rows = await manager.getRepository(EntrantEntity).find({ select: { hotkey: true, commitmentBlock: true }, where: { tournamentId, source: 'chain' } });
    return new Set(rows.map((r) => `${r.hotkey}@${r.commitmentBlock}`));
  }

  /** Inserts a rejected chain entry on record; a row for the same commitment already there wins (no error). */
  async recordRejectedCommitment(values: Partial<EntrantEntity>, manager: EntityManager = this.ds.manager): Promise<void> {
    await manager.getRepository(EntrantEntity).createQueryBuilder().insert().values({ ...values, source: 'chain', status: 'rejected' }).orIgnore().execute();
  }

  async signatureSeen(signature: string, manager: EntityManager = this.ds.manager): Promise<boolean> {
    return (await manager.getRepository(EntrantEntity).count({ where: { signature } })) > 0;
  }

  async markEliminated(ids: string[], roundIndex: number, manager: EntityManager): Promise<void> {
    if (ids.length === 0) return;
    await manager
      .getRepository(EntrantEntity)
      .createQueryBuilder()
      .update()
      .set({ eliminatedInRound: roundIndex })
      .where('id IN (:...ids) AND "eliminatedInRound" IS NULL', { ids })
      .execute();
  }
}
