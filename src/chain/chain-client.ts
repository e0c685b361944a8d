/**
 * The chain as Crucible needs it: the subnet's metagraph, hyperparameters and miners' commitments,
 * and the three weight extrinsics. One adapter talks to subtensor through @polkadot/api; an in-memory fake serves tests.
 */

export interface Neuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  /** The hotkey's stake on the subnet in its smallest unit (rao / alpha), as a decimal string. */
  stake: string;
  /** Block of the neuron's last weight set (or commit, or registration). */
  lastUpdate: number;
}

export interface Metagraph {
  netuid: number;
  /** Block the snapshot was read at. */
  block: number;
  neurons: Neuron[];
}

export interface SubnetHyperparameters {
  netuid: number;
  tempo: number;
  /** Blocks that must pass since the neuron's LastUpdate before it may set (or commit) weights again. */
  weightsRateLimit: number;
  /** setWeights needs versionKey >= this. */
  weightsVersionKey: bigint;
  commitRevealEnabled: boolean;
  /** Commit-reveal: a commit made in epoch e is revealed in epoch e + revealPeriodEpochs. */
  revealPeriodEpochs: number;
  minAllowedWeights: number;
  maxWeightLimit: number;
}

/** u16 vectors exactly as they go on chain. */
export interface WeightsPayload {
  netuid: number;
  uids: number[];
  values: number[];
  versionKey: bigint;
}

export interface RevealPayload extends WeightsPayload {
  salt: number[];
}

export interface Inclusion {
  block: number;
  blockHash: string;
  extrinsicHash: string;
}

/** One unrevealed commit in WeightCommits(netuid, hotkey). */
export interface PendingCommit {
  hash: string;
  commitBlock: number;
  firstRevealBlock: number;
  lastRevealBlock: number;
}

/** One hotkey's commitment on a subnet (commitments pallet, CommitmentOf). */
export interface Commitment {
  hotkey: string;
  /** Block the commitment was written in. */
  block: number;
  /** The first field's bytes when it is Raw (at most 128); null for a hash field or none. */
  data: Uint8Array | null;
}

export interface SubnetCommitments {
  netuid: number;
  /** Block the commitments were read at. */
  block: number;
  commitments: Commitment[];
}

export abstract class ChainClient {
  /** SS58 address of the signing hotkey; null when no wallet is loaded (read-only client). */
  abstract readonly hotkey: string | null;
  abstract connect(): Promise<void>;
  abstract close(): Promise<void>;
  abstract currentBlock(): Promise<number>;
  /** Resolves once the best block number is at least `block`. */
  abstract waitForBlock(block: number, timeoutMs: number): Promise<number>;
  abstract metagraph(netuid: number): Promise<Metagraph>;
  abstract hyperparameters(netuid: number): Promise<SubnetHyperparameters>;
  abstract setWeights(payload: WeightsPayload): Promise<Inclusion>;
  abstract commitWeights(netuid: number, commitHash: string): Promise<Inclusion>;
  abstract revealWeights(payload: RevealPayload): Promise<Inclusion>;
  abstract pendingCommits(netuid: number, hotkey: string): Promise<PendingCommit[]>;
  /** Weights(netuid, uid) as stored: [uid, u16] pairs. */
  abstract readWeights(netuid: number, uid: number): Promise<Array<[number, number]>>;
  /** Every hotkey's current commitment on the subnet, read at one block. */
  abstract commitments(netuid: number): Promise<SubnetCommitments>;
}

/** Epoch index as subtensor computes it (get_epoch_index): (block + netuid + 1) / (tempo + 1). */
export function epochIndex(block: number, netuid: number, tempo: number): number {
  return Math.floor((block + netuid + 1) / (tempo + 1));
}
