import { Module } from '@nestjs/common';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { loadHotkey } from '../chain/wallet';
import { AppConfig } from '../config/app-config';
import { AuditBundleRepository } from './audit-bundle.repository';
import { AuditBundleService } from './audit-bundle.service';
import { AuditController } from './audit.controller';
import { AuditSourceRepository } from './audit-source.repository';
import { BundleSigner, KeyringBundleSigner } from './bundle-signer';

/**
 * Bundles are signed by the validator hotkey (the chain wallet). Without a wallet (demo, dry run)
 * an ephemeral key signs them: still hash-chained and verifiable, but not tied to a validator.
 */
export async function createBundleSigner(config: AppConfig): Promise<BundleSigner> {
  const c = config.chain;
  if (c.walletPath || c.mnemonicFile) {
    return new KeyringBundleSigner(await loadHotkey({ walletPath: c.walletPath, hotkeyName: c.walletHotkey, mnemonicFile: c.mnemonicFile }));
  }
  await cryptoWaitReady();
  return new KeyringBundleSigner(new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromMnemonic(mnemonicGenerate()));
}

/** Daily sealed audit bundles (AuditBundleService.sealDueDays from a daily tick) and the /api/audit endpoints. */
@Module({
  controllers: [AuditController],
  providers: [
    { provide: BundleSigner, useFactory: createBundleSigner, inject: [AppConfig] },
    AuditSourceRepository,
    AuditBundleRepository,
    AuditBundleService,
  ],
  exports: [AuditBundleService, AuditBundleRepository],
})
export class AuditModule {}
