import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { HotkeyRegistry, OpenHotkeyRegistry, StaticHotkeyRegistry } from '../submissions/hotkey-registry';
import { WeightSink } from '../tournaments/outcome-ports';
import { ChainClient } from './chain-client';
import { ChainWeightSink } from './chain-weight-sink';
import { UnconfiguredChainClient } from './in-memory-chain-client';
import { MetagraphHotkeyRegistry } from './metagraph-hotkey-registry';
import { MetagraphSyncService } from './metagraph-sync.service';
import { MetagraphRepository } from './metagraph.repository';
import { loadHotkey } from './wallet';
import { WeightSetRepository } from './weight-set.repository';
import { WeightSetterService, WeightSetterSettings } from './weight-setter.service';

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
  return new PolkadotChainClient({ endpoint: chain.endpoint, signer, initialBackoffMs: Math.min(chain.retryBaseMs ?? 2000, 5000) });
}

export function weightSetterSettings(config: AppConfig): WeightSetterSettings {
  const c = config.chain;
  return {
    netuid: c.netuid,
    dryRun: c.dryRun,
    versionKey: c.versionKey !== undefined ? BigInt(c.versionKey) : undefined,
    maxTries: c.weightsMaxTries ?? 5,
    retryBaseMs: c.retryBaseMs ?? 2000,
    blockTimeMs: c.blockTimeMs ?? 12_000,
    fallbackTempo: 360,
  };
}

export function createHotkeyRegistry(config: AppConfig, metagraphs: MetagraphRepository): HotkeyRegistry {
  if (config.chain.endpoint) return new MetagraphHotkeyRegistry(metagraphs, config.chain.netuid);
  return config.chain.staticMetagraph ? new StaticHotkeyRegistry(config.chain.staticMetagraph) : new OpenHotkeyRegistry();
}

/**
 * Chain access: the ChainClient port (connected on init, closed on shutdown), metagraph cache and
 * sync, the weight setter (and the engine's WeightSink), and the HotkeyRegistry for submissions.
 */
@Module({
  providers: [
    { provide: ChainClient, useFactory: createChainClient, inject: [AppConfig] },
    { provide: WeightSetterSettings, useFactory: weightSetterSettings, inject: [AppConfig] },
    { provide: HotkeyRegistry, useFactory: createHotkeyRegistry, inject: [AppConfig, MetagraphRepository] },
    { provide: WeightSink, useExisting: ChainWeightSink },
    MetagraphRepository,
    WeightSetRepository,
    MetagraphSyncService,
    WeightSetterService,
    ChainWeightSink,
  ],
  exports: [ChainClient, HotkeyRegistry, WeightSink, MetagraphRepository, WeightSetRepository, MetagraphSyncService, WeightSetterService],
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
