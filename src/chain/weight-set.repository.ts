import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WeightBasis } from '../scoring/tournament-evidence';
import { WeightSetAttempt, WeightSetEntity, WeightSetStatus } from './weight-set.entity';

export interface NewWeightSet {
  netuid: number;
  epoch: number;
  uids: number[];
  values: number[];
  floats: Record<string, number>;
  versionKey: string;
  hotkey: string | null;
  basis: WeightBasis | null;
  status: WeightSetStatus;
}

export type WeightSetPatch = Partial<
  Pick<
    WeightSetEntity,
    | 'status'
    | 'block'
    | 'extrinsicHash'
    | 'error'
    | 'settledAt'
    | 'salt'
    | 'commitHash'
    | 'commitBlock'
    | 'revealFromBlock'
    | 'revealUntilBlock'
    | 'firstSentBlock'
    | 'readBack'
  >
>;

/** weight_sets rows. The unique (netuid, epoch) index is what makes "never twice per epoch" hold across replicas. */
@Injectable()
export class WeightSetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts the epoch's row unless one exists; returns the row that owns the epoch either way. */
  async claimEpoch(input: NewWeightSet): Promise<{ row: WeightSetEntity; created: boolean }> {
    const result = await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(WeightSetEntity)
      .values({ ...input, attempts: [] })
      .orIgnore()
      .returning('id')
      .execute();
    const created = (result.raw as unknown[]).length > 0;
    const row = await this.findForEpoch(input.netuid, input.epoch);
    if (!row) throw new Error(`weight set for netuid ${input.netuid} epoch ${input.epoch} vanished`);
    return { row, created };
  }

  findForEpoch(netuid: number, epoch: number): Promise<WeightSetEntity | null> {
    return this.dataSource.getRepository(WeightSetEntity).findOneBy({ netuid, epoch });
  }

  findById(id: string): Promise<WeightSetEntity | null> {
    return this.dataSource.getRepository(WeightSetEntity).findOneBy({ id });
  }

  /** Appends one try to the row's history and applies the outcome's fields. */
  async recordAttempt(id: string, attempt: WeightSetAttempt, patch: WeightSetPatch): Promise<WeightSetEntity> {
    await this.dataSource
      .createQueryBuilder()
      .update(WeightSetEntity)
      .set({ ...patch, tries: () => '"tries" + 1', attempts: () => `"attempts" || :attempt::jsonb` })
      .setParameter('attempt', JSON.stringify([attempt]))
      .where('id = :id', { id })
      .execute();
    return this.reload(id);
  }

  /**
   * Makes the caller the epoch's one sender: records the block of the first send unless another
   * worker already did (atomic). False when the send belongs to someone else.
   */
  async claimSend(id: string, block: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(WeightSetEntity)
      .set({ firstSentBlock: block })
      .where('id = :id AND "firstSentBlock" IS NULL', { id })
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** A dry run's vector is recorded and not sent: the row is settled as it is. */
  markDryRunSettled(id: string, at: Date): Promise<WeightSetEntity> {
    return this.write(id, { settledAt: at });
  }

  /** The salt and hash of the epoch's commit, kept before the first send so every retry commits the same hash. */
  recordCommitSecret(id: string, salt: number[], commitHash: string): Promise<WeightSetEntity> {
    return this.write(id, { salt, commitHash });
  }

  /** The commit is on chain (found there after a send that seemed to fail): the reveal window it opens. */
  markCommitted(id: string, commit: Pick<WeightSetEntity, 'commitBlock' | 'revealFromBlock' | 'revealUntilBlock'>): Promise<WeightSetEntity> {
    return this.write(id, { ...commit, status: 'committed', error: null });
  }

  /** The vector is on chain as of `block` (read back to prove it). */
  markSet(id: string, block: number, readBack: WeightSetEntity['readBack'], at: Date): Promise<WeightSetEntity> {
    return this.write(id, { status: 'set', block, readBack, error: null, settledAt: at });
  }

  private async write(id: string, patch: WeightSetPatch): Promise<WeightSetEntity> {
    await this.dataSource.getRepository(WeightSetEntity).update({ id }, patch);
    return this.reload(id);
  }

  /** Committed vectors still waiting for their reveal, oldest first. */
  awaitingReveal(netuid: number): Promise<WeightSetEntity[]> {
    return this.dataSource.getRepository(WeightSetEntity).find({ where: { netuid, status: 'committed' }, order: { epoch: 'ASC' } });
  }

  /** The row as stored now. */
  async reload(id: string): Promise<WeightSetEntity> {
    const row = await this.findById(id);
    if (!row) throw new Error(`weight set ${id} not found`);
    return row;
  }
}
