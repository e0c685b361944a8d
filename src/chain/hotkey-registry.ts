import type { MetagraphSnapshot } from '../scoring/tournament-evidence';

/** Is a hotkey registered on the subnet? Backed by the metagraph cache; "open" when no chain is configured. */
export interface RegisteredNeuron {
  uid: number | null;
  coldkey: string | null;
}

export abstract class HotkeyRegistry {
  abstract lookup(hotkey: string): Promise<RegisteredNeuron | null>;
  /** The hotkey -> uid table now (with its block), as a weight vector is made from it. */
  abstract snapshot(): Promise<MetagraphSnapshot>;
}

/** Without a chain (embedded demo, tests) every well-formed hotkey counts as registered. */
export class OpenHotkeyRegistry extends HotkeyRegistry {
  async lookup(): Promise<RegisteredNeuron> {
    return { uid: null, coldkey: null };
  }
  async snapshot(): Promise<MetagraphSnapshot> {
    return { block: null, uids: {} };
  }
}

/** A fixed hotkey -> uid table (CRUCIBLE_STATIC_METAGRAPH) for offline runs such as the demo. */
export class StaticHotkeyRegistry extends HotkeyRegistry {
  constructor(private readonly uids: Record<string, number>) {
    super();
  }
  async lookup(hotkey: string): Promise<RegisteredNeuron | null> {
    const uid = this.uids[hotkey];
    return uid === undefined ? null : { uid, coldkey: null };
  }
  async snapshot(): Promise<MetagraphSnapshot> {
    return { block: null, uids: { ...this.uids } };
  }
}
