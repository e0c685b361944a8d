import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { WeightBasis } from '../scoring/tournament-evidence';
import { convertWeightsAndUidsForEmit } from '../scoring/u16';
import { ChainClient, epochIndex, Inclusion, SubnetHyperparameters } from './chain-client';
import { ChainError, ChainErrorCode, isPermanentChainError } from './chain.errors';
import { weightsCommitHash } from './commit-hash';
import { WeightSetAttempt, WeightSetEntity } from './weight-set.entity';
import { WeightSetRepository } from './weight-set.repository';
import { errorMessage } from '../common/error-message';

/** What the weight setter needs from the configuration (a slice of AppConfig.chain). */
export abstract class WeightSetterSettings {
  abstract readonly netuid: number;
  abstract readonly dryRun: boolean;
  /** Used when the chain's WeightsVersionKey is lower (setWeights needs versionKey >= it). */
  abstract readonly versionKey?: bigint;
  /** Tries per extrinsic (a lost connection or a rejection), with exponential backoff between them. */
  abstract readonly maxTries: number;
  abstract readonly retryBaseMs: number;
  /** Expected block time, to bound waits for the rate limit and the reveal window. */
  abstract readonly blockTimeMs: number;
  /** Tempo used to number epochs when no chain is configured (dry-run only). */
  abstract readonly fallbackTempo: number;
}

/** A uid -> float weight vector, as the scoring code produces it. */
export type FloatWeights = ReadonlyMap<number, number> | Readonly<Record<number, number>>;

export interface SetWeightsOptions {
  /** Epoch to record the vector under; default: the chain's current epoch. */
  epoch?: number;
  /** With commit-reveal on: wait for the reveal window and reveal before returning. */
  waitForReveal?: boolean;
  /** What the vector was made from (tournaments, burn uid, metagraph snapshot), kept for auditors. */
  basis?: WeightBasis;
}

export interface WeightSetResult {
  id: string;
  netuid: number;
  epoch: number;
  status: WeightSetEntity['status'];
  uids: number[];
  values: number[];
  versionKey: string;
  block: number | null;
  commitHash: string | null;
  revealFromBlock: number | null;
  readBack: Array<[number, number]> | null;
  /** True when the read-back equals the u16 vector sent (null before anything was read back). */
  readBackMatches: boolean | null;
  tries: number;
  error: string | null;
  /** True when the epoch's row already existed and nothing new was sent for it. */
  alreadyHandled: boolean;
}

/**
 * Sets the validator's weights once per epoch: u16 conversion (the SDK's rules), version key, rate
 * limit, setWeights or commit + reveal, inclusion, read-back. The weight_sets row (unique per
 * netuid and epoch) is claimed before anything is sent, only the worker that records its first send
 * sends it, every try is appended to it, and before a retry the chain is asked whether an earlier try
 * landed after all, so no epoch is sent twice (at most once: a sender that dies before its try landed
 * costs that epoch; the next epoch has its own row).
 */
@Injectable()
export class WeightSetterService {
  private readonly logger = new Logger(WeightSetterService.name);

  constructor(
    private readonly chain: ChainClient,
    private readonly weightSets: WeightSetRepository,
    private readonly settings: WeightSetterSettings,
    private readonly clock: Clock,
  ) {}

  async setWeightsForEpoch(weights: FloatWeights, opts: SetWeightsOptions = {}): Promise<WeightSetResult> {
    const floats = toEntries(weights);
    let emit;
    try {
      emit = convertWeightsAndUidsForEmit(
        floats.map(([uid]) => uid),
        floats.map(([, w]) => w),
      );
    } catch (cause) {
      throw new ChainError(ChainErrorCode.InvalidWeights, `weights cannot be set: ${errorMessage(cause)}`, {}, { cause });
    }
    if (emit.uids.length === 0) throw new ChainError(ChainErrorCode.InvalidWeights, 'every weight is zero: nothing to set');

    const netuid = this.settings.netuid;
    const offline = this.settings.dryRun && this.chain.hotkey === null && !(await this.reachable());
    const hyper = offline ? null : await this.chain.hyperparameters(netuid);
    const epoch = opts.epoch ?? (await this.currentEpoch(hyper));
    const chainKey = hyper?.weightsVersionKey ?? 0n;
    const versionKey = this.settings.versionKey !== undefined && this.settings.versionKey > chainKey ? this.settings.versionKey : chainKey;

    const { row, created } = await this.weightSets.claimEpoch({
      netuid,
      epoch,
      uids: emit.uids,
      values: emit.weights,
      floats: Object.fromEntries(floats.map(([u, w]) => [String(u), w])),
      versionKey: versionKey.toString(),
      hotkey: this.chain.hotkey,
      basis: opts.basis ?? null,
      status: this.settings.dryRun ? 'dry_run' : 'pending',
    });
    const log = { netuid, epoch, weightSetId: row.id };
    if (this.settings.dryRun) {
      if (created) {
        this.logger.log({ ...log, uids: emit.uids.length }, 'dry run: weights recorded, not sent');
        return result(await this.weightSets.markDryRunSettled(row.id, this.clock.now()), false);
      }
      return result(row, true);
    }
    if (!created && !sameVector(row, emit.uids, emit.weights)) {
      this.logger.warn(log, 'a different vector was already recorded for this epoch; keeping the recorded one');
    }
    if (row.status === 'set' || row.status === 'dry_run') return result(row, true);
    if (!hyper) throw new ChainError(ChainErrorCode.NotConfigured, 'no chain to set weights on');
    if (row.status === 'committed') {
      return opts.waitForReveal ? result(await this.reveal(row, true), false) : result(row, true);
    }

    const settled = await this.send(row, hyper);
    if (settled.status === 'committed' && opts.waitForReveal) return result(await this.reveal(settled, true), false);
    return result(settled, !created && settled.tries === row.tries);
  }

  /** Reveals every committed vector whose reveal window is open; call it every epoch (or tick). */
  async revealDue(): Promise<WeightSetResult[]> {
    const out: WeightSetResult[] = [];
    for (const row of await this.weightSets.awaitingReveal(this.settings.netuid)) {
      const revealed = await this.reveal(row, false);
      if (revealed.status !== 'committed') out.push(result(revealed, false));
    }
    return out;
  }

  private async reachable(): Promise<boolean> {
    try {
      await this.chain.currentBlock();
      return true;
    } catch {
      return false;
    }
  }

  private async currentEpoch(hyper: SubnetHyperparameters | null): Promise<number> {
    if (hyper) return epochIndex(await this.chain.currentBlock(), hyper.netuid, hyper.tempo);
    const blocks = Math.floor(this.clock.now().getTime() / this.settings.blockTimeMs);
    return epochIndex(blocks, this.settings.netuid, this.settings.fallbackTempo);
  }

  private async myUid(): Promise<{ uid: number; lastUpdate: number }> {
    const hotkey = this.chain.hotkey;
    if (!hotkey) throw new ChainError(ChainErrorCode.Wallet, 'no validator hotkey loaded');
    const graph = await this.chain.metagraph(this.settings.netuid);
    const me = graph.neurons.find((n) => n.hotkey === hotkey);
    if (!me) {
      throw new ChainError(ChainErrorCode.NotRegistered, `validator hotkey ${hotkey} is not registered on subnet ${this.settings.netuid}`, { hotkey });
    }
    return { uid: me.uid, lastUpdate: me.lastUpdate };
  }

  private async send(initial: WeightSetEntity, hyper: SubnetHyperparameters): Promise<WeightSetEntity> {
    let row = initial;
    const versionKey = BigInt(row.versionKey);
    const action: WeightSetAttempt['action'] = hyper.commitRevealEnabled ? 'commit' : 'set';
    let salt = row.salt;
    let commitHash = row.commitHash;
    if (action === 'commit' && (!salt || !commitHash)) {
      salt = Array.from({ length: 8 }, () => randomInt(0, 65536));
      commitHash = weightsCommitHash({ hotkey: this.requireHotkey(), netuid: row.netuid, uids: row.uids, values: row.values, salt, versionKey });
      row = await this.weightSets.recordCommitSecret(row.id, salt, commitHash);
    }

    // Only the worker that records the first send sends (and retries) for the epoch: two workers
    // ticking together never both send. One that dies before its send landed costs that epoch.
    let sender = false;
    return this.withRetries(row, action, { leaveWhenTooEarly: false }, async (current) => {
      const me = await this.myUid();
      const landed = await this.landedEarlier(current, me.uid, me.lastUpdate);
      if (landed) return landed;
      if (!sender && current.firstSentBlock !== null) return current;
      await this.waitForRateLimit(me.lastUpdate, hyper.weightsRateLimit);
      if (!sender) {
        sender = await this.weightSets.claimSend(current.id, await this.chain.currentBlock());
        if (!sender) return this.weightSets.reload(current.id);
      }
      const sending = await this.weightSets.reload(current.id);
      if (action === 'commit') return this.recordCommit(sending, await this.chain.commitWeights(sending.netuid, commitHash as string));
      const inclusion = await this.chain.setWeights({ netuid: sending.netuid, uids: sending.uids, values: sending.values, versionKey });
      return this.recordSet(sending, inclusion, me.uid, 'set');
    });
  }

  /**
   * The one retry loop of the weight extrinsics. Every failed try is appended to the row. A permanent
   * error, or the last of maxTries, marks the row failed and throws; anything else waits (exponential
   * backoff from retryBaseMs, at most 5 min, on the injected clock) and tries again. A reveal the chain
   * finds too early is not permanent; with leaveWhenTooEarly the row stays committed for a later revealDue.
   */
  private async withRetries(
    initial: WeightSetEntity,
    action: WeightSetAttempt['action'],
    opts: { leaveWhenTooEarly: boolean },
    tryOnce: (row: WeightSetEntity) => Promise<WeightSetEntity>,
  ): Promise<WeightSetEntity> {
    let row = initial;
    for (let attempt = 1; ; attempt++) {
      try {
        return await tryOnce(row);
      } catch (error) {
        const message = errorText(error);
        const tooEarly = action === 'reveal' && error instanceof ChainError && error.runtimeError?.endsWith('RevealTooEarly') === true;
        const permanent = (!tooEarly && isPermanentChainError(error)) || attempt >= this.settings.maxTries;
        row = await this.weightSets.recordAttempt(
          row.id,
          { at: this.clock.now().toISOString(), action, ok: false, block: null, error: message },
          permanent ? { status: 'failed', error: message } : { error: message },
        );
        this.logger.warn({ netuid: row.netuid, epoch: row.epoch, weightSetId: row.id, action, attempt, error: message, permanent }, `${action} weights failed`);
        if (permanent) throw error instanceof ChainError ? error : new ChainError(ChainErrorCode.Unavailable, message, {}, { cause: error });
        if (tooEarly && opts.leaveWhenTooEarly) return row;
        await this.clock.sleep(Math.min(this.settings.retryBaseMs * 2 ** (attempt - 1), 5 * 60_000));
      }
    }
  }

  /** A try that timed out may still have landed: if the chain holds this vector (or commit) since our first send, adopt it. */
  private async landedEarlier(row: WeightSetEntity, uid: number, lastUpdate: number): Promise<WeightSetEntity | null> {
    if (row.firstSentBlock === null || lastUpdate < row.firstSentBlock) return null;
    if (row.commitHash && row.status !== 'committed') {
      const pending = await this.chain.pendingCommits(row.netuid, this.requireHotkey());
      const mine = pending.find((c) => c.hash === row.commitHash);
      if (!mine) return null;
      this.logger.log({ weightSetId: row.id, block: mine.commitBlock }, 'an earlier commit landed; not sending again');
      return this.weightSets.markCommitted(row.id, { commitBlock: mine.commitBlock, revealFromBlock: mine.firstRevealBlock, revealUntilBlock: mine.lastRevealBlock });
    }
    const readBack = await this.chain.readWeights(row.netuid, uid);
    if (!pairsEqual(readBack, row.uids, row.values)) return null;
    this.logger.log({ weightSetId: row.id, block: lastUpdate }, 'an earlier send landed; not sending again');
    return this.weightSets.markSet(row.id, lastUpdate, readBack, this.clock.now());
  }

  private async waitForRateLimit(lastUpdate: number, rateLimit: number): Promise<void> {
    // The extrinsic runs in the next block: it is allowed once block - lastUpdate >= rateLimit.
    const target = lastUpdate + rateLimit - 1;
    const now = await this.chain.currentBlock();
    if (rateLimit === 0 || lastUpdate === 0 || now >= target) return;
    this.logger.log({ netuid: this.settings.netuid, waitBlocks: target - now }, 'waiting out the weights rate limit');
    await this.chain.waitForBlock(target, (target - now + 3) * this.settings.blockTimeMs * 2);
  }

  private async recordSet(row: WeightSetEntity, inc: Inclusion, uid: number, action: 'set' | 'reveal'): Promise<WeightSetEntity> {
    const readBack = await this.chain.readWeights(row.netuid, uid);
    const matches = pairsEqual(readBack, row.uids, row.values);
    if (!matches) this.logger.error({ weightSetId: row.id, block: inc.block }, 'weights read back from chain differ from the vector sent');
    this.logger.log({ netuid: row.netuid, epoch: row.epoch, weightSetId: row.id, block: inc.block }, 'weights set on chain');
    return this.weightSets.recordAttempt(
      row.id,
      { at: this.clock.now().toISOString(), action, ok: true, block: inc.block, error: null },
      {
        status: 'set',
        block: inc.block,
        extrinsicHash: inc.extrinsicHash,
        readBack,
        error: matches ? null : 'weights read back from chain differ from the vector sent',
        settledAt: this.clock.now(),
      },
    );
  }

  private async recordCommit(row: WeightSetEntity, inc: Inclusion): Promise<WeightSetEntity> {
    const pending = await this.chain.pendingCommits(row.netuid, this.requireHotkey());
    const mine = pending.find((c) => c.hash === row.commitHash);
    this.logger.log({ netuid: row.netuid, epoch: row.epoch, weightSetId: row.id, block: inc.block, revealFrom: mine?.firstRevealBlock }, 'weights committed');
    return this.weightSets.recordAttempt(
      row.id,
      { at: this.clock.now().toISOString(), action: 'commit', ok: true, block: inc.block, error: null },
      {
        status: 'committed',
        commitBlock: inc.block,
        revealFromBlock: mine?.firstRevealBlock ?? null,
        revealUntilBlock: mine?.lastRevealBlock ?? null,
        error: null,
      },
    );
  }

  private async reveal(row: WeightSetEntity, wait: boolean): Promise<WeightSetEntity> {
    const from = row.revealFromBlock ?? 0;
    const now = await this.chain.currentBlock();
    if (now < from - 1) {
      if (!wait) return row;
      await this.chain.waitForBlock(from - 1, (from - now + 3) * this.settings.blockTimeMs * 2);
    }
    return this.withRetries(row, 'reveal', { leaveWhenTooEarly: !wait }, async (current) => {
      const me = await this.myUid();
      if (me.lastUpdate > (current.commitBlock ?? 0)) {
        // An earlier reveal may have landed: the commit is gone and the vector is on chain.
        const readBack = await this.chain.readWeights(current.netuid, me.uid);
        const stillPending = (await this.chain.pendingCommits(current.netuid, this.requireHotkey())).some((c) => c.hash === current.commitHash);
        if (!stillPending && pairsEqual(readBack, current.uids, current.values)) {
          return this.weightSets.markSet(current.id, me.lastUpdate, readBack, this.clock.now());
        }
      }
      const inc = await this.chain.revealWeights({
        netuid: current.netuid,
        uids: current.uids,
        values: current.values,
        salt: current.salt ?? [],
        versionKey: BigInt(current.versionKey),
      });
      return this.recordSet(current, inc, me.uid, 'reveal');
    });
  }

  private requireHotkey(): string {
    const hotkey = this.chain.hotkey;
    if (!hotkey) throw new ChainError(ChainErrorCode.Wallet, 'no validator hotkey loaded');
    return hotkey;
  }
}

function toEntries(weights: FloatWeights): Array<[number, number]> {
  const entries: Array<[number, number]> =
    weights instanceof Map ? [...weights.entries()] : Object.entries(weights).map(([k, v]) => [Number(k), Number(v)]);
  return entries.sort((a, b) => a[0] - b[0]);
}

function sameVector(row: WeightSetEntity, uids: number[], values: number[]): boolean {
  return row.uids.join(',') === uids.join(',') && row.values.join(',') === values.join(',');
}

/** Chain storage keeps the submitted order; compare as uid-sorted pairs. */
export function pairsEqual(readBack: Array<[number, number]>, uids: number[], values: number[]): boolean {
  if (readBack.length !== uids.length) return false;
  const a = [...readBack].sort((x, y) => x[0] - y[0]);
  const b = uids.map((u, i) => [u, values[i]] as const).sort((x, y) => x[0] - y[0]);
  return a.every(([u, w], i) => u === b[i][0] && w === b[i][1]);
}

function result(row: WeightSetEntity, alreadyHandled: boolean): WeightSetResult {
  return {
    id: row.id,
    netuid: row.netuid,
    epoch: row.epoch,
    status: row.status,
    uids: row.uids,
    values: row.values,
    versionKey: row.versionKey,
    block: row.block,
    commitHash: row.commitHash,
    revealFromBlock: row.revealFromBlock,
    readBack: row.readBack,
    readBackMatches: row.readBack ? pairsEqual(row.readBack, row.uids, row.values) : null,
    tries: row.tries,
    error: row.error,
    alreadyHandled,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

