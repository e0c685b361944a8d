import { TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';
import { Keyring } from '@polkadot/keyring';
import { weightsCommitHash } from './commit-hash';

describe('weightsCommitHash', () => {
  it('equals blake2b-256 of the SCALE tuple as @polkadot/types encodes it', async () => {
    await cryptoWaitReady();
    const hotkey = new Keyring({ type: 'sr25519' }).addFromUri('//Validator').address;
    const input = { hotkey, netuid: 56, uids: [1, 7, 300], values: [65535, 12, 40000], salt: [1, 2, 3, 65535, 0, 9, 8, 7], versionKey: 2n ** 40n + 5n };
    const registry = new TypeRegistry();
    const encoded = registry
      .createType('(AccountId32, u16, Vec<u16>, Vec<u16>, Vec<u16>, u64)', [input.hotkey, input.netuid, input.uids, input.values, input.salt, input.versionKey])
      .toU8a();
    expect(weightsCommitHash(input)).toBe(u8aToHex(blake2AsU8a(encoded, 256)));
  });
});
