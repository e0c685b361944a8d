import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { checkAddress, cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

/**
 * The exact bytes a miner signs (UTF-8, "\n" line ends, no trailing newline):
 *
 *   crucible-submission-v1
 *   tournament:<tournamentId>
 *   hotkey:<ss58 hotkey, prefix 42>
 *   repo:<repoUrl>
 *   commit:<40 lower-case hex>
 *   signed-at:<unix seconds, integer>
 *
 * Binding the tournament id and a signed-at time makes a signature useless for any other entry;
 * the service refuses a signed-at outside its window and a signature it has already seen.
 * The signature is sr25519 by the hotkey over those bytes, sent as 0x + 128 hex.
 */
export interface SubmissionFields {
  tournamentId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  signedAt: number;
}

export const SUBMISSION_MESSAGE_VERSION = 'crucible-submission-v1';
export const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{128}$/;

export function buildSubmissionMessage(s: SubmissionFields): string {
  return [
    SUBMISSION_MESSAGE_VERSION,
    `tournament:${s.tournamentId}`,
    `hotkey:${s.hotkey}`,
    `repo:${s.repoUrl}`,
    `commit:${s.commitSha}`,
    `signed-at:${s.signedAt}`,
  ].join('\n');
}

/** sr25519 check of `signature` (0x + 128 hex) by `hotkey` (SS58, prefix 42) over `message`. */
export function verifySubmissionSignature(message: string, signature: string, hotkey: string): boolean {
  if (!SIGNATURE_PATTERN.test(signature)) return false;
  try {
    if (!checkAddress(hotkey, 42)[0]) return false;
    const result = signatureVerify(message, signature, hotkey);
    return result.isValid && result.crypto === 'sr25519';
  } catch {
    return false;
  }
}

/** Signs the canonical message with a hotkey (the `crucible submit` side). */
export function signSubmission(pair: KeyringPair, fields: Omit<SubmissionFields, 'hotkey'>): { message: string; signature: string; hotkey: string } {
  if (pair.type !== 'sr25519') throw new Error('submissions are signed with an sr25519 hotkey');
  const message = buildSubmissionMessage({ ...fields, hotkey: pair.address });
  return { message, signature: u8aToHex(pair.sign(message)), hotkey: pair.address };
}

/** The WASM crypto backend must be ready before the first verification. */
export const signatureCryptoReady: Promise<boolean> = cryptoWaitReady();
