import { Module } from '@nestjs/common';
import { loadHotkey } from '../chain/wallet';
import { AppConfig } from '../config/app-config';
import { ArtifactArchive } from './artifact-archive';
import { ArtifactsController } from './artifacts.controller';
import { AuditBundleRepository } from './audit-bundle.repository';
import { AuditBundleService } from './audit-bundle.service';
import { loadAuditKey, loadOrCreateAuditKey } from './audit-key';
import { AuditController } from './audit.controller';
import { AuditSourceRepository } from './audit-source.repository';
import { BundleSigner, KeyringBundleSigner } from './bundle-signer';

/**
 * Bundles are signed by the validator hotkey (the chain wallet). Without one, by the service's own
 * audit key, created once in the data directory and reused. When a hotkey replaces the audit key,
 * the audit key stays at hand to sign the change.
 */
export async function createBundleSigner(config: AppConfig): Promise<BundleSigner> {
  const c = config.chain;
  if (c.walletPath || c.mnemonicFile) {
    const previous = await loadAuditKey(config.dataDir);
    const hotkey = await loadHotkey({ walletPath: c.walletPath, hotkeyName: c.walletHotkey, mnemonicFile: c.mnemonicFile });
    return new KeyringBundleSigner(hotkey, 'validator_hotkey', previous ? new KeyringBundleSigner(previous, 'audit_key') : null);
  }
  return new KeyringBundleSigner(await loadOrCreateAuditKey(config.dataDir), 'audit_key');
}

/** Sealed audit bundles (AuditBundleService.sealDue from the worker's upkeep tick) and the /api/audit endpoints. */
@Module({
  controllers: [AuditController, ArtifactsController],
  providers: [
    { provide: BundleSigner, useFactory: createBundleSigner, inject: [AppConfig] },
    AuditSourceRepository,
    AuditBundleRepository,
    AuditBundleService,
    ArtifactArchive,
  ],
  exports: [AuditBundleService, AuditBundleRepository],
})
export class AuditModule {}
