import type { Inclusion, Metagraph, PendingCommit, SubnetCommitments, SubnetHyperparameters } from './chain-client';
import { ChainClient } from './chain-client';
import { ChainError, ChainErrorCode } from './chain.errors';

/** Used when no chain endpoint is configured: reads and writes fail with CHAIN_NOT_CONFIGURED. */
export class UnconfiguredChainClient extends ChainClient {
  readonly hotkey = null;
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  currentBlock(): Promise<number> {
    return notConfigured();
  }
  waitForBlock(): Promise<number> {
    return notConfigured();
  }
  metagraph(): Promise<Metagraph> {
    return notConfigured();
  }
  hyperparameters(): Promise<SubnetHyperparameters> {
    return notConfigured();
  }
  setWeights(): Promise<Inclusion> {
    return notConfigured();
  }
  commitWeights(): Promise<Inclusion> {
    return notConfigured();
  }
  revealWeights(): Promise<Inclusion> {
    return notConfigured();
  }
  pendingCommits(): Promise<PendingCommit[]> {
    return notConfigured();
  }
  readWeights(): Promise<Array<[number, number]>> {
    return notConfigured();
  }
  commitments(): Promise<SubnetCommitments> {
    return notConfigured();
  }
}

function notConfigured<T>(): Promise<T> {
  return Promise.reject(new ChainError(ChainErrorCode.NotConfigured, 'no chain endpoint configured (CRUCIBLE_CHAIN_ENDPOINT)'));
}
