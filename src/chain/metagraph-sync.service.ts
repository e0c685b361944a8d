import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ChainClient, Metagraph } from './chain-client';
import { MetagraphRepository } from './metagraph.repository';

/** Reads the subnet's metagraph from chain and replaces the cached copy (call it every few blocks or each epoch). */
@Injectable()
export class MetagraphSyncService {
  private readonly logger = new Logger(MetagraphSyncService.name);

  constructor(
    private readonly chain: ChainClient,
    private readonly metagraphs: MetagraphRepository,
    private readonly clock: Clock,
  ) {}

  async sync(netuid: number): Promise<Metagraph> {
    const graph = await this.chain.metagraph(netuid);
    await this.metagraphs.replaceSnapshot(graph, this.clock.now());
    this.logger.log({ netuid, block: graph.block, neurons: graph.neurons.length }, 'metagraph synced');
    return graph;
  }
}
