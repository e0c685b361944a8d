import * as fs from 'node:fs';
import { resolveHotkeyFile } from '../chain/wallet';
import type { AppConfig } from '../config/app-config';
import { isRecord } from '../common/is-record';

/**
 * Every secret value this deployment knows, for redacting miners' logs. The sandbox never receives
 * any of them; redaction is the second line. Includes the private datasets' and data folders' paths.
 */
export function configuredSecrets(config: AppConfig): string[] {
  const secrets = [config.adminToken, config.sandbox.repo.gitToken, config.publishing.githubToken, config.evaluation.datasetsDir, config.dataDir];
  if (config.database.url) {
    const password = new URL(config.database.url).password;
    secrets.push(password, decodeURIComponent(password));
  }
  if (config.chain.mnemonicFile) secrets.push(readOrNothing(config.chain.mnemonicFile));
  if (config.chain.walletPath) secrets.push(...walletSecrets(config.chain.walletPath, config.chain.walletHotkey));
  return secrets.filter((s): s is string => typeof s === 'string' && s.trim() !== '');
}

function readOrNothing(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function walletSecrets(walletPath: string, hotkeyName: string): string[] {
  try {
    const keyfile: unknown = JSON.parse(fs.readFileSync(resolveHotkeyFile(walletPath, hotkeyName), 'utf8'));
    if (!isRecord(keyfile)) return [];
    return ['secretPhrase', 'secretSeed', 'privateKey'].map((k) => keyfile[k]).filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}
