import { Injectable } from '@nestjs/common';
import { TransactionContext, Transactor } from '../common/transactor';
import type { Metagraph, Neuron } from './chain-client';
import { MetagraphNeuronEntity } from './metagraph-neuron.entity';

export interface CachedNeuron extends Neuron {
  syncedBlock: number;
  syncedAt: Date;
}

/** The metagraph cache. A sync replaces a subnet's rows in one transaction. */
@Injectable()
export class MetagraphRepository {
  constructor(
    private readonly db: TransactionContext,
    private readonly tx: Transactor,
  ) {}

  async replaceSnapshot(snapshot: Metagraph, at: Date): Promise<void> {
    await this.tx.run(async () => {
      const em = this.db.manager();
      await em.delete(MetagraphNeuronEntity, { netuid: snapshot.netuid });
      if (snapshot.neurons.length === 0) return;
      await em.insert(
        MetagraphNeuronEntity,
        snapshot.neurons.map((n) => ({ ...n, netuid: snapshot.netuid, syncedBlock: snapshot.block, syncedAt: at })),
      );
    });
  }

  async findByHotkey(netuid: number, hotkey: string): Promise<CachedNeuron | null> {
    const row = await this.db.manager().getRepository(MetagraphNeuronEntity).findOneBy({ netuid, hotkey });
    return row ? toNeuron(row) : null;
  }

  async listNeurons(netuid: number): Promise<CachedNeuron[]> {
    const rows = await this.db.manager().getRepository(MetagraphNeuronEntity).find({ where: { netuid }, order: { uid: 'ASC' } });
    return rows.map(toNeuron);
  }
}

function toNeuron(r: MetagraphNeuronEntity): CachedNeuron {
  return {
    uid: r.uid,
    hotkey: r.hotkey,
    coldkey: r.coldkey,
    validatorPermit: r.validatorPermit,
    stake: String(r.stake),
    lastUpdate: r.lastUpdate,
    syncedBlock: r.syncedBlock,
    syncedAt: r.syncedAt,
  };
}
