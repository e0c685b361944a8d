import { Injectable } from '@nestjs/common';
import type { MetagraphSnapshot } from '../scoring/tournament-evidence';
import { HotkeyRegistry, RegisteredNeuron } from './hotkey-registry';
import { MetagraphRepository } from './metagraph.repository';

/**
 * "Is this hotkey registered on the subnet?" from the metagraph cache (kept fresh by
 * MetagraphSyncService), so submissions never wait on the chain. null = not registered.
 */
@Injectable()
export class MetagraphHotkeyRegistry extends HotkeyRegistry {
  constructor(
    private readonly metagraphs: MetagraphRepository,
    private readonly netuid: number,
  ) {
    super();
  }

  async lookup(hotkey: string): Promise<RegisteredNeuron | null> {
    const neuron = await this.metagraphs.findByHotkey(this.netuid, hotkey);
    return neuron ? { uid: neuron.uid, coldkey: neuron.coldkey } : null;
  }

  async snapshot(): Promise<MetagraphSnapshot> {
    const neurons = await this.metagraphs.listNeurons(this.netuid);
    const block = neurons.length ? Math.max(...neurons.map((n) => n.syncedBlock)) : null;
    return { block, uids: Object.fromEntries(neurons.map((n) => [n.hotkey, n.uid])) };
  }
}
