import * as fs from 'node:fs';
import * as path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { errnoCode } from '../common/error-message';

/** Where the service keeps its own audit key: `<dataDir>/keys/audit-key.json`, mode 0600, in a 0700 folder. */
export function auditKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-key.json');
}

/**
 * The service's persistent audit key (sr25519), created once and reused across restarts, so that the
 * bundles of a validator without a configured hotkey keep one checkable signer. The secret never
 * leaves this file: it is not logged and no response carries it.
 */
export async function loadOrCreateAuditKey(dataDir: string): Promise<KeyringPair> {
  await cryptoWaitReady();
  const file = auditKeyPath(dataDir);
  const existing = await loadAuditKey(dataDir);
  if (existing) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ secretPhrase: mnemonicGenerate() })}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // Two processes starting at once: the first link wins and both read the winner's key.
    fs.linkSync(tmp, file);
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  const key = await loadAuditKey(dataDir);
  if (!key) throw new Error(`${file} vanished right after it was written`);
  return key;
}

/** The audit key when one was created in this data directory, else null. */
export async function loadAuditKey(dataDir: string): Promise<KeyringPair | null> {
  let text: string;
  try {
    text = fs.readFileSync(auditKeyPath(dataDir), 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
  await cryptoWaitReady();
  const parsed: unknown = JSON.parse(text);
  const secretPhrase = typeof parsed === 'object' && parsed !== null && 'secretPhrase' in parsed ? parsed.secretPhrase : undefined;
  if (typeof secretPhrase !== 'string') throw new Error(`${auditKeyPath(dataDir)} holds no secretPhrase string`);
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromMnemonic(secretPhrase);
}
