import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';

/** Who signs bundles: the validator hotkey, or the service's own persistent audit key. */
export type SignerKind = 'validator_hotkey' | 'audit_key';

/** Signs sealed bundles (sr25519). */
export abstract class BundleSigner {
  abstract readonly address: string;
  abstract readonly publicKey: string;
  abstract readonly kind: SignerKind;
  /** The key that signed before this one (the audit key once a validator hotkey is configured), to endorse the change. */
  abstract readonly retired: BundleSigner | null;
  abstract sign(message: string): string;
}

export class KeyringBundleSigner extends BundleSigner {
  /** The pair's SS58 address, encoded once (the pair's getter encodes on every read; every seal reads it). */
  readonly address: string;

  constructor(
    private readonly pair: KeyringPair,
    readonly kind: SignerKind = 'validator_hotkey',
    readonly retired: BundleSigner | null = null,
  ) {
    super();
    this.address = pair.address;
  }
  get publicKey(): string {
    return u8aToHex(this.pair.publicKey);
  }
  sign(message: string): string {
    return u8aToHex(this.pair.sign(message));
  }
}
