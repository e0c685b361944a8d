import { Injectable } from '@nestjs/common';
import { Page, PageRequest } from '../common/pagination';
import { TransactionContext } from '../common/transactor';
import { EntrantEntity } from './entrant.entity';

@Injectable()
export class EntrantRepository {
  constructor(private readonly db: TransactionContext) {}

  /** In the caller's transaction when there is one (Transactor), else on the pool. */
  private get m() {
    return this.db.manager();
  }

  async insert(values: Partial<EntrantEntity>): Promise<EntrantEntity> {
    const repo = this.m.getRepository(EntrantEntity);
    return repo.save(repo.create(values));
  }

  findById(id: string): Promise<EntrantEntity | null> {
    return this.m.getRepository(EntrantEntity).findOne({ where: { id } });
  }

  async page(tournamentId: string, page: PageRequest): Promise<Page<EntrantEntity>> {
    const [items, total] = await this.m.getRepository(EntrantEntity).findAndCount({
      where: { tournamentId },
      order: { receivedAt: 'ASC', id: 'ASC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total, ...page };
  }

  /** Accepted entrants in priority order (earlier submission first). */
  accepted(tournamentId: string): Promise<EntrantEntity[]> {
    return this.m.getRepository(EntrantEntity).find({
      where: { tournamentId, status: 'accepted' },
      order: { receivedAt: 'ASC', id: 'ASC' },
    });
  }

  findLive(tournamentId: string, by: { hotkey?: string; coldkey?: string; treeHash?: string }) {
    return this.m.getRepository(EntrantEntity).findOne({ where: { tournamentId, status: 'accepted', ...by } });
  }

  /** The chain commitments already turned into a row in this tournament, accepted or rejected, as `hotkey@block`. */
  async commitmentsSeen(tournamentId: string): Promise<Set<string>> {
    const rows = await this.m.getRepository(EntrantEntity).find({ select: { hotkey: true, commitmentBlock: true }, where: { tournamentId, source: 'chain' } });
    return new Set(rows.map((r) => `${r.hotkey}@${r.commitmentBlock}`));
  }

  /** Inserts a rejected chain entry on record; a row for the same commitment already there wins (no error). */
  async recordRejectedCommitment(values: Partial<EntrantEntity>): Promise<void> {
    await this.m.getRepository(EntrantEntity).createQueryBuilder().insert().values({ ...values, source: 'chain', status: 'rejected' }).orIgnore().execute();
  }

  async signatureSeen(signature: string): Promise<boolean> {
    return (await this.m.getRepository(EntrantEntity).count({ where: { signature } })) > 0;
  }

  async markEliminated(ids: string[], roundIndex: number): Promise<void> {
    if (ids.length === 0) return;
    await this.m
      .getRepository(EntrantEntity)
      .createQueryBuilder()
      .update()
      .set({ eliminatedInRound: roundIndex })
      .where('id IN (:...ids) AND "eliminatedInRound" IS NULL', { ids })
      .execute();
  }
}
