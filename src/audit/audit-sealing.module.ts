import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { loadHotkey } from '../chain/wallet';
import { AppConfig } from '../config/app-config';
import { AuditBundleService } from './audit-bundle.service';
import { loadAuditKey, loadOrCreateAuditKey } from './audit-key';
import { AuditModule } from './audit.module';
import { BundleSigner, KeyringBundleSigner } from './bundle-signer';
import { PublishedSigner } from './published-signer';

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

/**
 * Sealing audit bundles (AuditBundleService.sealDue from the worker's upkeep tick), in the worker
 * only: it holds the signing key and publishes the key's public identity for the API.
 */
@Module({
  imports: [AuditModule],
  providers: [{ provide: BundleSigner, useFactory: createBundleSigner, inject: [AppConfig] }, AuditBundleService],
  exports: [AuditBundleService, AuditModule],
})
export class AuditSealingModule implements OnModuleInit {
  constructor(
    @Inject(BundleSigner) private readonly signer: BundleSigner,
    private readonly published: PublishedSigner,
  ) {}

  onModuleInit(): void {
    this.published.publish(this.signer);
  }
}
