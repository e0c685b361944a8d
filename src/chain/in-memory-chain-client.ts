import { ChainClient, Commitment, epochIndex, Inclusion, Metagraph, Neuron, PendingCommit, RevealPayload, SubnetCommitments, SubnetHyperparameters, WeightsPayload } from './chain-client';
import { ChainError, ChainErrorCode } from './chain.errors';
import { weightsCommitHash } from './commit-hash';

/**
 * A subnet in memory, for service tests: same rules the runtime applies to weights (version key,
 * rate limit, commit-reveal windows, hash check), one block per extrinsic, and failure injection.
 */
export class InMemoryChainClient extends ChainClient {
  block = 1;
  readonly neurons: Neuron[] = [];
  readonly weights = new Map<number, Array<[number, number]>>();
  readonly commits = new Map<string, PendingCommit[]>();
  /** CommitmentOf(netuid, hotkey): the latest commitment of each hotkey. */
  readonly commitmentOf = new Map<string, Commitment>();
  /** Every extrinsic that reached the "chain" (after injected failures). */
  readonly sent: Array<{ call: 'setWeights' | 'commitWeights' | 'revealWeights'; block: number; args: unknown }> = [];
  private failures: Array<{ error: Error; landed: boolean }> = [];
  hyper: Omit<SubnetHyperparameters, 'netuid'> = {
    tempo: 10,
    weightsRateLimit: 0,
    weightsVersionKey: 0n,
    commitRevealEnabled: false,
    revealPeriodEpochs: 1,
    minAllowedWeights: 1,
    maxWeightLimit: 65535,
  };

  constructor(
    readonly netuid: number,
    readonly hotkey: string | null,
  ) {
    super();
  }

  addNeuron(hotkey: string, coldkey: string, opts: Partial<Neuron> = {}): Neuron {
    const neuron: Neuron = { uid: this.neurons.length, hotkey, coldkey, validatorPermit: true, stake: '1000000000', lastUpdate: this.block, ...opts };
    this.neurons.push(neuron);
    return neuron;
  }

  /**
   * A hotkey's setCommitment, as the pallet checks it: registered hotkeys only, one Raw field of at
   * most 128 bytes (`null` stands for a hash field). Takes a block, like an extrinsic.
   */
  setCommitment(hotkey: string, data: string | Uint8Array | null): Commitment {
    if (!this.neurons.some((n) => n.hotkey === hotkey)) throw new ChainError(ChainErrorCode.ExtrinsicFailed, 'commitments.AccountNotAllowedCommit', { error: 'commitments.AccountNotAllowedCommit' });
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    if (bytes && bytes.length > 128) throw new ChainError(ChainErrorCode.ExtrinsicFailed, `no Data::Raw${bytes.length} variant (at most Raw128)`);
    this.block += 1;
    const commitment: Commitment = { hotkey, block: this.block, data: bytes };
    this.commitmentOf.set(hotkey, commitment);
    return commitment;
  }

  /**
   * The next extrinsic fails with `error`. With `landed: true` it is applied first (the reply was
   * lost, as when the connection drops after submission).
   */
  failNext(error: Error, opts: { landed?: boolean } = {}): void {
    this.failures.push({ error, landed: opts.landed ?? false });
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  async currentBlock(): Promise<number> {
    return this.block;
  }

  async waitForBlock(block: number): Promise<number> {
    if (this.block < block) this.block = block;
    return this.block;
  }

  async metagraph(netuid: number): Promise<Metagraph> {
    this.checkNet(netuid);
    return { netuid, block: this.block, neurons: this.neurons.map((n) => ({ ...n })) };
  }

  async hyperparameters(netuid: number): Promise<SubnetHyperparameters> {
    this.checkNet(netuid);
    return { netuid, ...this.hyper };
  }

  async setWeights(p: WeightsPayload): Promise<Inclusion> {
    return this.extrinsic('setWeights', p, () => {
      if (this.hyper.commitRevealEnabled) throw runtime('CommitRevealEnabled');
      this.applyWeights(p);
    });
  }

  async commitWeights(netuid: number, commitHash: string): Promise<Inclusion> {
    return this.extrinsic('commitWeights', { netuid, commitHash }, (block) => {
      if (!this.hyper.commitRevealEnabled) throw runtime('CommitRevealDisabled');
      const me = this.me();
      this.checkRate(me);
      const epoch = epochIndex(block, netuid, this.hyper.tempo);
      const firstRevealBlock = (epoch + this.hyper.revealPeriodEpochs) * (this.hyper.tempo + 1) - netuid - 1;
      const list = this.commits.get(me.hotkey) ?? [];
      list.push({ hash: commitHash, commitBlock: block, firstRevealBlock, lastRevealBlock: firstRevealBlock + this.hyper.tempo });
      this.commits.set(me.hotkey, list);
      me.lastUpdate = block;
    });
  }

  async revealWeights(p: RevealPayload): Promise<Inclusion> {
    return this.extrinsic('revealWeights', p, (block) => {
      const me = this.me();
      const list = this.commits.get(me.hotkey) ?? [];
      const hash = weightsCommitHash({ hotkey: me.hotkey, netuid: p.netuid, uids: p.uids, values: p.values, salt: p.salt, versionKey: p.versionKey });
      const idx = list.findIndex((c) => c.hash === hash);
      if (idx < 0) throw runtime(list.length ? 'InvalidRevealCommitHashNotMatch' : 'NoWeightsCommitFound');
      if (block < list[idx].firstRevealBlock) throw runtime('RevealTooEarly');
      if (block > list[idx].lastRevealBlock) throw runtime('ExpiredWeightCommit');
      list.splice(idx, 1);
      this.applyWeights(p, true);
    });
  }

  async pendingCommits(_netuid: number, hotkey: string): Promise<PendingCommit[]> {
    return [...(this.commits.get(hotkey) ?? [])];
  }

  async readWeights(_netuid: number, uid: number): Promise<Array<[number, number]>> {
    return [...(this.weights.get(uid) ?? [])];
  }

  async commitments(netuid: number): Promise<SubnetCommitments> {
    this.checkNet(netuid);
    return { netuid, block: this.block, commitments: [...this.commitmentOf.values()].map((c) => ({ ...c })) };
  }

  private applyWeights(p: WeightsPayload, skipRate = false): void {
    const me = this.me();
    if (p.versionKey < this.hyper.weightsVersionKey) throw runtime('IncorrectWeightVersionKey');
    if (!me.validatorPermit) throw runtime('NeuronNoValidatorPermit');
    if (p.uids.length !== p.values.length) throw runtime('WeightVecNotEqualSize');
    if (p.uids.length < Math.min(this.hyper.minAllowedWeights, this.neurons.length)) throw runtime('WeightVecLengthIsLow');
    if (p.uids.some((u) => u >= this.neurons.length)) throw runtime('UidVecContainInvalidOne');
    if (!skipRate) this.checkRate(me);
    this.weights.set(
      me.uid,
      p.uids.map((u, i) => [u, p.values[i]]),
    );
    me.lastUpdate = this.block;
  }

  private checkRate(me: Neuron): void {
    if (this.hyper.weightsRateLimit > 0 && this.block - me.lastUpdate < this.hyper.weightsRateLimit) throw runtime('SettingWeightsTooFast');
  }

  private me(): Neuron {
    const me = this.neurons.find((n) => n.hotkey === this.hotkey);
    if (!me) throw runtime('HotKeyNotRegisteredInSubNet');
    return me;
  }

  private checkNet(netuid: number): void {
    if (netuid !== this.netuid) throw new ChainError(ChainErrorCode.NotRegistered, `subnet ${netuid} does not exist`);
  }

  private async extrinsic(call: 'setWeights' | 'commitWeights' | 'revealWeights', args: unknown, apply: (block: number) => void): Promise<Inclusion> {
    if (!this.hotkey) throw new ChainError(ChainErrorCode.Wallet, 'no hotkey loaded');
    this.block += 1;
    const failure = this.failures.shift();
    if (failure && !failure.landed) throw failure.error;
    apply(this.block);
    this.sent.push({ call, block: this.block, args });
    if (failure) throw failure.error;
    return { block: this.block, blockHash: `0x${this.block.toString(16).padStart(64, '0')}`, extrinsicHash: `0x${'ab'.repeat(32)}` };
  }
}

function runtime(name: string): ChainError {
  return new ChainError(ChainErrorCode.ExtrinsicFailed, `subtensorModule.${name}`, { error: `subtensorModule.${name}` });
}

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
