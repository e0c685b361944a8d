import { compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';

/**
 * The commit-reveal hash subtensor checks on reveal: blake2b-256 of the SCALE encoding of
 * (AccountId32 hotkey, u16 netuid, Vec<u16> uids, Vec<u16> values, Vec<u16> salt, u64 versionKey).
 * Written out by hand (no runtime metadata needed) so an auditor can recompute it offline.
 */
export function weightsCommitHash(input: {
  hotkey: string;
  netuid: number;
  uids: readonly number[];
  values: readonly number[];
  salt: readonly number[];
  versionKey: bigint;
}): string {
  const account = decodeAddress(input.hotkey);
  if (account.length !== 32) throw new RangeError('hotkey must be a 32-byte account id');
  return u8aToHex(
    blake2AsU8a(
      u8aConcat(account, u16le(input.netuid), vecU16(input.uids), vecU16(input.values), vecU16(input.salt), u64le(input.versionKey)),
      256,
    ),
  );
}

function u16le(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${v} is not a u16`);
  return new Uint8Array([v & 0xff, v >> 8]);
}

function vecU16(values: readonly number[]): Uint8Array {
  return u8aConcat(compactToU8a(values.length), ...values.map(u16le));
}

function u64le(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`${v} is not a u64`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
}
