import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ChainError, ChainErrorCode } from './chain.errors';

/**
 * Loads the validator (or miner) hotkey. Sources, in order of preference:
 *   - a Bittensor wallet: `walletPath` is either the hotkey file itself
 *     (~/.bittensor/wallets/<wallet>/hotkeys/<hotkey>) or the wallet directory, in which case
 *     `hotkeys/<hotkeyName>` is read. The file is the SDK's unencrypted JSON keyfile
 *     (`secretPhrase` and/or `secretSeed`, plus `ss58Address`, which must match);
 *   - a mnemonic file: one line, a BIP39 phrase (or any secret URI such as "//Alice" for dev chains).
 * Errors name the file, never its content: the secret is never logged or echoed.
 */
export interface WalletSource {
  walletPath?: string;
  hotkeyName?: string;
  mnemonicFile?: string;
}

export async function loadHotkey(source: WalletSource): Promise<KeyringPair> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  if (source.walletPath) return fromWalletFile(keyring, resolveHotkeyFile(source.walletPath, source.hotkeyName ?? 'default'));
  if (source.mnemonicFile) return fromMnemonicFile(keyring, expandHome(source.mnemonicFile));
  throw new ChainError(ChainErrorCode.Wallet, 'no wallet configured (CRUCIBLE_WALLET_PATH or CRUCIBLE_MNEMONIC_FILE)');
}

export function resolveHotkeyFile(walletPath: string, hotkeyName: string): string {
  const p = expandHome(walletPath);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch (cause) {
    throw new ChainError(ChainErrorCode.Wallet, `wallet path ${p} does not exist`, { path: p }, { cause });
  }
  return stat.isDirectory() ? path.join(p, 'hotkeys', hotkeyName) : p;
}

function fromWalletFile(keyring: Keyring, file: string): KeyringPair {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ChainError(ChainErrorCode.Wallet, `hotkey file ${file} is missing or not JSON (encrypted hotkeys are not supported)`, { path: file }, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ChainError(ChainErrorCode.Wallet, `hotkey file ${file} is not a JSON object`, { path: file });
  const keyfile = parsed as { secretPhrase?: unknown; secretSeed?: unknown; ss58Address?: unknown };
  let pair: KeyringPair;
  if (typeof keyfile.secretPhrase === 'string' && keyfile.secretPhrase.trim() !== '') {
    pair = keyring.addFromMnemonic(keyfile.secretPhrase.trim());
  } else if (typeof keyfile.secretSeed === 'string' && isHex(keyfile.secretSeed) && hexToU8a(keyfile.secretSeed).length === 32) {
    pair = keyring.addFromSeed(hexToU8a(keyfile.secretSeed));
  } else {
    throw new ChainError(ChainErrorCode.Wallet, `hotkey file ${file} has neither secretPhrase nor a 32-byte secretSeed`, { path: file });
  }
  if (typeof keyfile.ss58Address === 'string' && keyfile.ss58Address !== pair.address) {
    throw new ChainError(ChainErrorCode.Wallet, `hotkey file ${file}: the secret does not match its ss58Address ${keyfile.ss58Address}`, { path: file });
  }
  return pair;
}

function fromMnemonicFile(keyring: Keyring, file: string): KeyringPair {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (cause) {
    throw new ChainError(ChainErrorCode.Wallet, `mnemonic file ${file} cannot be read`, { path: file }, { cause });
  }
  try {
    return keyring.addFromUri(text);
  } catch {
    // The library's message may quote the input: do not chain it.
    throw new ChainError(ChainErrorCode.Wallet, `mnemonic file ${file} does not hold a valid mnemonic or secret URI`, { path: file });
  }
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
}

/** Writes a Bittensor-style unencrypted hotkey file (tests, `crucible` dev setups). */
export function writeHotkeyFile(file: string, pair: KeyringPair, secretPhrase: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body = {
    accountId: `0x${Buffer.from(pair.publicKey).toString('hex')}`,
    publicKey: `0x${Buffer.from(pair.publicKey).toString('hex')}`,
    secretPhrase,
    ss58Address: pair.address,
  };
  fs.writeFileSync(file, JSON.stringify(body), { mode: 0o600 });
}
