import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Metagraph, Neuron } from './chain-client';
import { MetagraphNeuronEntity } from './metagraph-neuron.entity';

export interface CachedNeuron extends Neuron {
  syncedBlock: number;
  syncedAt: Date;
}

/** The metagraph cache. A sync replaces a subnet's rows in one transaction. */
@Injectable()
export class MetagraphRepository {
  constructor(private readonly dataSource: DataSource) {}

  async replaceSnapshot(snapshot: Metagraph, at: Date): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.delete(MetagraphNeuronEntity, { netuid: snapshot.netuid });
      if (snapshot.neurons.length === 0) return;
      await em.insert(
        MetagraphNeuronEntity,
        snapshot.neurons.map((n) => ({ ...n, netuid: snapshot.netuid, syncedBlock: snapshot.block, syncedAt: at })),
      );
    });
  }

  async findByHotkey(netuid: number, hotkey: string): Promise<CachedNeuron | null> {
    const row = await this.dataSource.getRepository(MetagraphNeuronEntity).findOneBy({ netuid, hotkey });
    return row ? toNeuron(row) : null;
  }

  async listNeurons(netuid: number): Promise<CachedNeuron[]> {
    const rows = await this.dataSource.getRepository(MetagraphNeuronEntity).find({ where: { netuid }, order: { uid: 'ASC' } });
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
