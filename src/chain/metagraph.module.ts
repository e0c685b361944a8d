import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { HotkeyRegistry, OpenHotkeyRegistry, StaticHotkeyRegistry } from './hotkey-registry';
import { MetagraphHotkeyRegistry } from './metagraph-hotkey-registry';
import { MetagraphRepository } from './metagraph.repository';

export function createHotkeyRegistry(config: AppConfig, metagraphs: MetagraphRepository): HotkeyRegistry {
  if (config.chain.endpoint) return new MetagraphHotkeyRegistry(metagraphs, config.chain.netuid);
  return config.chain.staticMetagraph ? new StaticHotkeyRegistry(config.chain.staticMetagraph) : new OpenHotkeyRegistry();
}

/**
 * Who is registered on the subnet, read from the metagraph cache in the database (the worker's
 * MetagraphSyncService fills it). No chain client and no key: the API checks submissions with it.
 */
@Module({
  providers: [MetagraphRepository, { provide: HotkeyRegistry, useFactory: createHotkeyRegistry, inject: [AppConfig, MetagraphRepository] }],
  exports: [MetagraphRepository, HotkeyRegistry],
})
export class MetagraphModule {}
