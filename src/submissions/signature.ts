import { cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

/**
 * The exact bytes a miner signs (UTF-8, "\n" line ends, no trailing newline). Binding the
 * tournament id and a signed-at time makes a signature useless for any other entry.
 */
export interface SubmissionFields {
  tournamentId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  signedAt: number;
}

export function buildSubmissionMessage(s: SubmissionFields): string {
  return [
    'crucible-submission-v1',
    `tournament:${s.tournamentId}`,
    `hotkey:${s.hotkey}`,
    `repo:${s.repoUrl}`,
    `commit:${s.commitSha}`,
    `signed-at:${s.signedAt}`,
  ].join('\n');
}

/** sr25519 check of `signature` (0x + 128 hex) by `hotkey` over `message`. */
export function verifySubmissionSignature(message: string, signature: string, hotkey: string): boolean {
  try {
    const result = signatureVerify(message, signature, hotkey);
    return result.isValid && result.crypto === 'sr25519';
  } catch {
    return false;
  }
}

/** The WASM crypto backend must be ready before the first verification. */
export const signatureCryptoReady: Promise<boolean> = cryptoWaitReady();
