import {
  ChainClient,
  epochIndex,
  type Inclusion,
  type Metagraph,
  type Neuron,
  type PendingCommit,
  type RevealPayload,
  type SubnetCommitments,
  type SubnetHyperparameters,
  type WeightsPayload,
} from '../../src/chain/chain-client';
import { ChainError, ChainErrorCode } from '../../src/chain/chain.errors';
import { weightsCommitHash } from '../../src/chain/commit-hash';

/**
 * A subnet in memory, for simulations too long for the local chain (weeks of epochs): the rules the
 * runtime applies to weights (version key, rate limit, commit-reveal windows, hash check), one block
 * per extrinsic. The weight setter's failure branches are tested on the real runtime instead
 * (weight-setter-failures.spec.ts).
 */
export class InMemoryChainClient extends ChainClient {
  block = 1;
  readonly neurons: Neuron[] = [];
  readonly weights = new Map<number, Array<[number, number]>>();
  readonly commits = new Map<string, PendingCommit[]>();
  /** Every extrinsic that reached the "chain". */
  readonly sent: Array<{ call: 'setWeights' | 'commitWeights' | 'revealWeights'; block: number; args: unknown }> = [];
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
    // Entrants of a simulation come through the API, not through chain commitments.
    return { netuid, block: this.block, commitments: [] };
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
    apply(this.block);
    this.sent.push({ call, block: this.block, args });
    return { block: this.block, blockHash: `0x${this.block.toString(16).padStart(64, '0')}`, extrinsicHash: `0x${'ab'.repeat(32)}` };
  }
}

function runtime(name: string): ChainError {
  return new ChainError(ChainErrorCode.ExtrinsicFailed, `subtensorModule.${name}`, { error: `subtensorModule.${name}` });
}
