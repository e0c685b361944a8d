import {
  ChainClient,
  type Inclusion,
  type Metagraph,
  type PendingCommit,
  type RevealPayload,
  type SubnetCommitments,
  type SubnetHyperparameters,
  type WeightsPayload,
} from '../../src/chain/chain-client';

type Extrinsic = 'setWeights' | 'commitWeights' | 'revealWeights';

/**
 * A real ChainClient (the polkadot adapter on a local subtensor) behind the same port, with faults a
 * network or a node can cause: an extrinsic that fails before it is sent, one whose reply is lost after
 * it landed, and reveal windows reported shifted (a node answering from another state). Everything
 * else is the real chain's answer.
 */
export class FaultyChainClient extends ChainClient {
  readonly hotkey: string | null;
  /** Extrinsics passed on to the real chain, in order (a fault before sending passes nothing). */
  readonly sent: Extrinsic[] = [];
  /** Added to the reveal window of every pending commit read. */
  revealWindowShift = 0;
  private readonly faults: Array<{ call: Extrinsic; error: Error; afterLanding: boolean }> = [];

  constructor(private readonly inner: ChainClient) {
    super();
    this.hotkey = inner.hotkey;
  }

  /** The next `call` throws `error`: before sending it, or with afterLanding after it was included. */
  failNext(call: Extrinsic, error: Error, opts: { afterLanding?: boolean } = {}): void {
    this.faults.push({ call, error, afterLanding: opts.afterLanding ?? false });
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  currentBlock(): Promise<number> {
    return this.inner.currentBlock();
  }
  waitForBlock(block: number, timeoutMs: number): Promise<number> {
    return this.inner.waitForBlock(block, timeoutMs);
  }
  metagraph(netuid: number): Promise<Metagraph> {
    return this.inner.metagraph(netuid);
  }
  hyperparameters(netuid: number): Promise<SubnetHyperparameters> {
    return this.inner.hyperparameters(netuid);
  }
  setWeights(payload: WeightsPayload): Promise<Inclusion> {
    return this.extrinsic('setWeights', () => this.inner.setWeights(payload));
  }
  commitWeights(netuid: number, commitHash: string): Promise<Inclusion> {
    return this.extrinsic('commitWeights', () => this.inner.commitWeights(netuid, commitHash));
  }
  revealWeights(payload: RevealPayload): Promise<Inclusion> {
    return this.extrinsic('revealWeights', () => this.inner.revealWeights(payload));
  }
  async pendingCommits(netuid: number, hotkey: string): Promise<PendingCommit[]> {
    const commits = await this.inner.pendingCommits(netuid, hotkey);
    return commits.map((c) => ({ ...c, firstRevealBlock: c.firstRevealBlock + this.revealWindowShift, lastRevealBlock: c.lastRevealBlock + this.revealWindowShift }));
  }
  readWeights(netuid: number, uid: number): Promise<Array<[number, number]>> {
    return this.inner.readWeights(netuid, uid);
  }
  commitments(netuid: number): Promise<SubnetCommitments> {
    return this.inner.commitments(netuid);
  }

  private async extrinsic(call: Extrinsic, send: () => Promise<Inclusion>): Promise<Inclusion> {
    const index = this.faults.findIndex((f) => f.call === call);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault && !fault.afterLanding) throw fault.error;
    this.sent.push(call);
    const inclusion = await send();
    if (fault) throw fault.error;
    return inclusion;
  }
}
