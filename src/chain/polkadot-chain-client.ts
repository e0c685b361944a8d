import { Logger } from '@nestjs/common';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec, ISubmittableResult } from '@polkadot/types/types';
import { ChainError, ChainErrorCode } from './chain.errors';
import {
  ChainClient,
  Commitment,
  Inclusion,
  Metagraph,
  Neuron,
  PendingCommit,
  RevealPayload,
  SubnetCommitments,
  SubnetHyperparameters,
  WeightsPayload,
} from './chain-client';

export interface PolkadotChainOptions {
  endpoint: string;
  /** Signs extrinsics; absent for a read-only client (metagraph sync, audits). */
  signer?: KeyringPair;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long connect() keeps trying before it gives up. */
  connectTimeoutMs?: number;
  /** How long to wait for an extrinsic to be included in a block. */
  inclusionTimeoutMs?: number;
}

/**
 * Subtensor through @polkadot/api 16. Owns its WsProvider and ApiPromise: connect() opens them
 * (retrying with exponential backoff), a dropped socket is reconnected the same way, close() ends them.
 * The runtime's modules are not in @polkadot/api's type augmentation, so values are read as Codecs
 * and converted by the small helpers at the bottom.
 */
export class PolkadotChainClient extends ChainClient {
  private readonly logger = new Logger(PolkadotChainClient.name);
  private provider: WsProvider | null = null;
  private apiPromise: ApiPromise | null = null;
  private closing = false;
  private reconnecting = false;
  readonly hotkey: string | null;

  constructor(private readonly options: PolkadotChainOptions) {
    super();
    this.hotkey = options.signer?.address ?? null;
  }

  async connect(): Promise<void> {
    if (this.apiPromise) return;
    this.closing = false;
    const provider = new WsProvider(this.options.endpoint, false);
    this.provider = provider;
    provider.on('disconnected', () => void this.reconnect());
    await this.connectWithBackoff(this.options.connectTimeoutMs ?? 60_000);
    let api: ApiPromise;
    try {
      api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
    } catch (error) {
      if (this.closing) return;
      throw error;
    }
    // Closed while the API was being created: close() found nothing to end, so end it here.
    if (this.closing) {
      await api.disconnect();
      return;
    }
    this.apiPromise = api;
    this.logger.log({ endpoint: this.options.endpoint, hotkey: this.hotkey }, 'connected to chain');
  }

  async close(): Promise<void> {
    this.closing = true;
    const api = this.apiPromise;
    const provider = this.provider;
    this.apiPromise = null;
    this.provider = null;
    if (api) await api.disconnect();
    // Still connecting: the socket is the provider's alone (connect() ends an API created after this).
    else if (provider) await provider.disconnect().catch(() => undefined);
  }

  private async connectWithBackoff(timeoutMs: number): Promise<void> {
    const provider = this.provider;
    if (!provider) throw new ChainError(ChainErrorCode.Unavailable, 'chain client is closed');
    const deadline = Date.now() + timeoutMs;
    let delay = this.options.initialBackoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        await provider.connect();
        await provider.isReady;
        return;
      } catch (cause) {
        if (this.closing) throw new ChainError(ChainErrorCode.Unavailable, 'chain client is closed');
        if (Date.now() + delay > deadline) {
          throw new ChainError(ChainErrorCode.Unavailable, `cannot reach the chain at ${this.options.endpoint}`, { attempts: attempt }, { cause });
        }
        this.logger.warn({ endpoint: this.options.endpoint, attempt, retryInMs: delay }, 'chain connection failed, retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 30_000);
      }
    }
  }

  private async reconnect(): Promise<void> {
    if (this.closing || this.reconnecting || !this.provider) return;
    this.reconnecting = true;
    try {
      this.logger.warn({ endpoint: this.options.endpoint }, 'chain connection lost, reconnecting');
      await this.connectWithBackoff(Number.MAX_SAFE_INTEGER);
      this.logger.log({ endpoint: this.options.endpoint }, 'chain connection restored');
    } catch (error) {
      if (!this.closing) this.logger.error({ endpoint: this.options.endpoint, error: String(error) }, 'chain reconnect gave up');
    } finally {
      this.reconnecting = false;
    }
  }

  private get api(): ApiPromise {
    if (!this.apiPromise) throw new ChainError(ChainErrorCode.Unavailable, 'chain client is not connected');
    if (!this.apiPromise.isConnected) throw new ChainError(ChainErrorCode.Unavailable, 'chain connection is down (reconnecting)');
    return this.apiPromise;
  }

  private get subtensor(): Record<string, StorageFn> {
    return this.api.query.subtensorModule as unknown as Record<string, StorageFn>;
  }

  async currentBlock(): Promise<number> {
    return (await this.api.rpc.chain.getHeader()).number.toNumber();
  }

  async waitForBlock(block: number, timeoutMs: number): Promise<number> {
    const now = await this.currentBlock();
    if (now >= block) return now;
    return settleFromSubscription<number>(
      timeoutMs,
      () => new ChainError(ChainErrorCode.Unavailable, `block ${block} not reached within ${timeoutMs} ms`),
      (finish) =>
        this.api.rpc.chain.subscribeNewHeads((header) => {
          const n = header.number.toNumber();
          if (n >= block) finish(n);
        }),
      (e) => (e instanceof Error ? e : new Error(String(e))),
    );
  }

  async metagraph(netuid: number): Promise<Metagraph> {
    const header = await this.api.rpc.chain.getHeader();
    const at = await this.api.at(header.hash);
    const q = at.query.subtensorModule as unknown as Record<string, StorageFn & { entries(...args: unknown[]): Promise<Array<[{ args: Codec[] }, Codec]>> }>;
    const [entries, permits, lastUpdates] = await Promise.all([q.keys.entries(netuid), q.validatorPermit(netuid), q.lastUpdate(netuid)]);
    const permitList = toArray(permits).map((c) => c.toPrimitive() === true);
    const updateList = toArray(lastUpdates).map((c) => toNumber(c));
    const hotkeys = entries
      .map(([key, value]) => ({ uid: toNumber(key.args[1]), hotkey: value.toString() }))
      .sort((a, b) => a.uid - b.uid);
    const [owners, stakes] = await Promise.all([
      Promise.all(hotkeys.map((h) => q.owner(h.hotkey))),
      Promise.all(hotkeys.map((h) => q.totalHotkeyAlpha(h.hotkey, netuid))),
    ]);
    const neurons: Neuron[] = hotkeys.map((h, i) => ({
      uid: h.uid,
      hotkey: h.hotkey,
      coldkey: owners[i].toString(),
      validatorPermit: permitList[h.uid] ?? false,
      stake: BigInt(stakes[i].toString()).toString(),
      lastUpdate: updateList[h.uid] ?? 0,
    }));
    return { netuid, block: header.number.toNumber(), neurons };
  }

  async hyperparameters(netuid: number): Promise<SubnetHyperparameters> {
    const q = this.subtensor;
    const [added, tempo, rate, version, cr, reveal, minW, maxW] = await Promise.all([
      q.networksAdded(netuid),
      q.tempo(netuid),
      q.weightsSetRateLimit(netuid),
      q.weightsVersionKey(netuid),
      q.commitRevealWeightsEnabled(netuid),
      q.revealPeriodEpochs(netuid),
      q.minAllowedWeights(netuid),
      q.maxWeightsLimit(netuid),
    ]);
    if (added.toPrimitive() !== true) throw new ChainError(ChainErrorCode.NotRegistered, `subnet ${netuid} does not exist`, { netuid });
    return {
      netuid,
      tempo: toNumber(tempo),
      weightsRateLimit: toNumber(rate),
      weightsVersionKey: BigInt(version.toString()),
      commitRevealEnabled: cr.toPrimitive() === true,
      revealPeriodEpochs: toNumber(reveal),
      minAllowedWeights: toNumber(minW),
      maxWeightLimit: toNumber(maxW),
    };
  }

  async setWeights(p: WeightsPayload): Promise<Inclusion> {
    return this.submit(this.api.tx.subtensorModule.setWeights(p.netuid, p.uids, p.values, p.versionKey));
  }

  async commitWeights(netuid: number, commitHash: string): Promise<Inclusion> {
    return this.submit(this.api.tx.subtensorModule.commitWeights(netuid, commitHash));
  }

  async revealWeights(p: RevealPayload): Promise<Inclusion> {
    return this.submit(this.api.tx.subtensorModule.revealWeights(p.netuid, p.uids, p.values, p.salt, p.versionKey));
  }

  async pendingCommits(netuid: number, hotkey: string): Promise<PendingCommit[]> {
    const raw = await this.subtensor.weightCommits(netuid, hotkey);
    const value = raw.toJSON();
    if (!Array.isArray(value)) return [];
    return value.map((entry) => {
      const [hash, commitBlock, firstRevealBlock, lastRevealBlock] = entry as [string, number, number, number];
      return { hash, commitBlock: Number(commitBlock), firstRevealBlock: Number(firstRevealBlock), lastRevealBlock: Number(lastRevealBlock) };
    });
  }

  async readWeights(netuid: number, uid: number): Promise<Array<[number, number]>> {
    const raw = (await this.subtensor.weights(netuid, uid)).toJSON();
    if (!Array.isArray(raw)) return [];
    return raw.map((pair) => {
      const [u, w] = pair as [number, number];
      return [Number(u), Number(w)];
    });
  }

  async commitments(netuid: number): Promise<SubnetCommitments> {
    const header = await this.api.rpc.chain.getHeader();
    const at = await this.api.at(header.hash);
    const entries = await (at.query.commitments.commitmentOf as unknown as { entries(...args: unknown[]): Promise<Array<[{ args: Codec[] }, Codec]>> }).entries(netuid);
    const commitments: Commitment[] = [];
    for (const [key, value] of entries) {
      const option = value as unknown as { isSome?: boolean; unwrap?: () => Codec };
      const registration = (option.isSome === undefined ? value : option.isSome ? option.unwrap!() : null) as unknown as RegistrationCodec | null;
      if (!registration) continue;
      commitments.push({ hotkey: key.args[1].toString(), block: toNumber(registration.block), data: rawField(registration.info.fields[0]) });
    }
    return { netuid, block: header.number.toNumber(), commitments };
  }

  /** Signs with an explicit nonce, waits for inclusion, maps dispatch errors to ChainError. */
  private async submit(tx: SubmittableExtrinsic<'promise'>): Promise<Inclusion> {
    const signer = this.options.signer;
    if (!signer) throw new ChainError(ChainErrorCode.Wallet, 'no hotkey loaded: this chain client is read-only');
    const api = this.api;
    const nonce = await api.rpc.system.accountNextIndex(signer.address);
    const timeoutMs = this.options.inclusionTimeoutMs ?? 120_000;
    return settleFromSubscription<Inclusion>(
      timeoutMs,
      () => new ChainError(ChainErrorCode.NotIncluded, `extrinsic ${tx.method.section}.${tx.method.method} not included within ${timeoutMs} ms`),
      (finish) =>
        tx.signAndSend(signer, { nonce }, (result: ISubmittableResult) => {
          if (result.dispatchError) {
            finish(new ChainError(ChainErrorCode.ExtrinsicFailed, `${tx.method.method} failed: ${dispatchErrorName(api, result)}`, { error: dispatchErrorName(api, result) }));
            return;
          }
          const status = result.status;
          if (status.isInBlock || status.isFinalized) {
            const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
            api.rpc.chain
              .getHeader(blockHash)
              .then((h) => finish({ block: h.number.toNumber(), blockHash, extrinsicHash: tx.hash.toHex() }))
              .catch((e: unknown) => finish(new ChainError(ChainErrorCode.Unavailable, 'cannot read the inclusion block', {}, { cause: e })));
          } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
            finish(new ChainError(ChainErrorCode.NotIncluded, `extrinsic ${tx.method.method} ${status.type.toLowerCase()}`));
          }
        }),
      (e) => new ChainError(ChainErrorCode.NotIncluded, `extrinsic ${tx.method.method} rejected by the pool: ${e instanceof Error ? e.message : String(e)}`, {}, { cause: e }),
    );
  }
}

/**
 * Resolves with the first value (or error) a subscription reports, or the timeout error; always
 * clears the timer and unsubscribes, even when the subscription settles before it is set up.
 */
function settleFromSubscription<T>(
  timeoutMs: number,
  onTimeout: () => Error,
  subscribe: (finish: (result: T | Error) => void) => Promise<() => void>,
  onSubscribeError: (e: unknown) => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsub: (() => void) | null = null;
    let done = false;
    const finish = (result: T | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsub?.();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(onTimeout()), timeoutMs);
    subscribe(finish)
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch((e: unknown) => finish(onSubscribeError(e)));
  });
}

type StorageFn = (...args: unknown[]) => Promise<Codec>;

function toNumber(c: Codec): number {
  return Number(c.toString());
}

/** Registration { deposit, block, info: { fields: Vec<Data> } } as @polkadot/api decodes it. */
interface RegistrationCodec {
  block: Codec;
  info: { fields: Array<Codec & { type: string; value: Codec }> };
}

/** Data::RawN holds N bytes; the hash variants (BlakeTwo256, ...) and None carry no text. */
function rawField(field: (Codec & { type: string; value: Codec }) | undefined): Uint8Array | null {
  if (!field || !/^Raw\d+$/.test(field.type)) return null;
  return field.value.toU8a(true);
}

function toArray(c: Codec): Codec[] {
  return Array.isArray(c) ? (c as Codec[]) : [...(c as unknown as Iterable<Codec>)];
}

function dispatchErrorName(api: ApiPromise, result: ISubmittableResult): string {
  const err = result.dispatchError;
  if (!err) return 'unknown';
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return err.type;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
