import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ChainClient } from './chain-client';
import { ChainWeightSink } from './chain-weight-sink';
import { UnconfiguredChainClient } from './unconfigured-chain-client';
import { MetagraphSyncService } from './metagraph-sync.service';
import { MetagraphModule } from './metagraph.module';
import { loadHotkey } from './wallet';
import { WeightSetRepository } from './weight-set.repository';
import { WeightSetterService, WeightSetterSettings } from './weight-setter.service';
import { WeightSink } from './weight-sink';

/** Picks the chain adapter by config: polkadot when CRUCIBLE_CHAIN_ENDPOINT is set, "unconfigured" otherwise. */
export async function createChainClient(config: AppConfig): Promise<ChainClient> {
  const chain = config.chain;
  if (!chain.endpoint) return new UnconfiguredChainClient();
  // @polkadot/api (about 45 MB resident) is loaded only when a chain is configured.
  const { PolkadotChainClient } = await import('./polkadot-chain-client');
  const hasWallet = Boolean(chain.walletPath || chain.mnemonicFile);
  const signer = hasWallet
    ? await loadHotkey({ walletPath: chain.walletPath, hotkeyName: chain.walletHotkey, mnemonicFile: chain.mnemonicFile })
    : undefined;
  return new PolkadotChainClient({ endpoint: chain.endpoint, signer, initialBackoffMs: Math.min(chain.retryBaseMs, 5000) });
}

export function weightSetterSettings(config: AppConfig): WeightSetterSettings {
  const c = config.chain;
  return {
    netuid: c.netuid,
    dryRun: c.dryRun,
    versionKey: c.versionKey !== undefined ? BigInt(c.versionKey) : undefined,
    maxTries: c.weightsMaxTries,
    retryBaseMs: c.retryBaseMs,
    blockTimeMs: c.blockTimeMs,
    fallbackTempo: 360,
  };
}

/**
 * Chain access, in the worker only: the ChainClient port (holding the validator hotkey when a wallet
 * is configured; connected on init, closed on shutdown), metagraph sync, the weight setter and the
 * engine's WeightSink. Reading the metagraph cache (HotkeyRegistry) is MetagraphModule's.
 */
@Module({
  imports: [MetagraphModule],
  providers: [
    { provide: ChainClient, useFactory: createChainClient, inject: [AppConfig] },
    { provide: WeightSetterSettings, useFactory: weightSetterSettings, inject: [AppConfig] },
    { provide: WeightSink, useExisting: ChainWeightSink },
    WeightSetRepository,
    MetagraphSyncService,
    WeightSetterService,
    ChainWeightSink,
  ],
  exports: [ChainClient, WeightSink, WeightSetRepository, MetagraphSyncService, WeightSetterService, MetagraphModule],
})
export class ChainModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChainModule.name);

  constructor(@Inject(ChainClient) private readonly chain: ChainClient) {}

  onModuleInit(): void {
    // Boot does not wait for the chain: the client retries with backoff and callers get CHAIN_UNAVAILABLE meanwhile.
    this.chain.connect().catch((error: unknown) => this.logger.error({ error: String(error) }, 'chain client could not connect'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.chain.close();
  }
}
