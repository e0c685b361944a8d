import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';

/** Signs sealed bundles with the validator hotkey (sr25519). */
export abstract class BundleSigner {
  abstract readonly address: string;
  abstract sign(message: string): string;
}

export class KeyringBundleSigner extends BundleSigner {
  constructor(private readonly pair: KeyringPair) {
    super();
  }
  get address(): string {
    return this.pair.address;
  }
  sign(message: string): string {
    return u8aToHex(this.pair.sign(message));
  }
}
