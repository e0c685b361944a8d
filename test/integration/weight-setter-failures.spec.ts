import { Logger } from '@nestjs/common';
import type { KeyringPair } from '@polkadot/keyring/types';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { DataSource } from 'typeorm';
import { ChainError, ChainErrorCode } from '../../src/chain/chain.errors';
import { PolkadotChainClient } from '../../src/chain/polkadot-chain-client';
import { WeightSetRepository } from '../../src/chain/weight-set.repository';
import { WeightSetterService } from '../../src/chain/weight-setter.service';
import { ManualClock } from '../../src/common/clock';
import { openDataSource } from '../../src/db/data-source';
import { FaultyChainClient } from '../fakes/faulty-chain-client';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { LocalChain, startLocalChain } from '../support/local-chain';

/**
 * Every failure branch of the weight setter against a real subtensor runtime (chopsticks), with the
 * faults a network causes injected in front of the real client. Backoff runs on a manual clock: the
 * waits are read from it, none is slept.
 */
describe('weight setter failure branches (real subtensor runtime)', () => {
  let chain: LocalChain;
  let db: TestDatabase;
  let ds: DataSource;
  let validator: KeyringPair;
  let real: PolkadotChainClient;
  let faulty: FaultyChainClient;
  let repo: WeightSetRepository;
  let plainNet: number;
  let revealNet: number;
  const clock = new ManualClock();

  const setter = (netuid: number): WeightSetterService =>
    new WeightSetterService(faulty, repo, { netuid, dryRun: false, maxTries: 3, retryBaseMs: 1000, blockTimeMs: 1000, fallbackTempo: 360 }, clock);
  const attempts = async (netuid: number, epoch: number): Promise<Array<[string, boolean, string | null]>> =>
    ((await repo.findForEpoch(netuid, epoch))?.attempts ?? []).map((a) => [a.action, a.ok, a.error]);
  /** Clock time that passes while `fn` runs (only the setter's backoff moves it). */
  const waited = async (fn: () => Promise<unknown>): Promise<number> => {
    const before = clock.now().getTime();
    await fn();
    return clock.now().getTime() - before;
  };

  /** Moves the chain to `block` (one block at that height: the reveal window is a matter of block numbers). */
  const advanceTo = async (block: number): Promise<void> => {
    expect(await chain.jumpTo(block)).toBe(block);
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    [chain, db] = await Promise.all([startLocalChain(), createTestDatabase('postgres')]);
    ds = await openDataSource(db.config, { migrate: true });
    repo = new WeightSetRepository(ds);
    validator = chain.keyring.addFromMnemonic(mnemonicGenerate());
    await chain.fund([validator.address]);
    plainNet = await chain.registerSubnet(validator.address, { tempo: 10 });
    revealNet = await chain.registerSubnet(validator.address, { commitReveal: true, tempo: 20, revealPeriodEpochs: 1 });
    await chain.registerNeurons(plainNet, chain.accounts.bob, [0, 1, 2].map((i) => chain.keyring.addFromUri(`//Plain${i}`).address));
    await chain.registerNeurons(revealNet, chain.accounts.charlie, [0, 1].map((i) => chain.keyring.addFromUri(`//Reveal${i}`).address));
    real = new PolkadotChainClient({ endpoint: chain.endpoint, signer: validator, inclusionTimeoutMs: 30_000 });
    await real.connect();
    faulty = new FaultyChainClient(real);
  }, 300_000);

  afterAll(async () => {
    await real?.close();
    await chain?.close();
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(() => faulty.sent.splice(0));

  it('retries a try that failed before it was sent, after one backoff of retryBaseMs', async () => {
    faulty.failNext('setWeights', new ChainError(ChainErrorCode.Unavailable, 'connection lost'));
    let r: Awaited<ReturnType<WeightSetterService['setWeightsForEpoch']>> | undefined;
    expect(await waited(async () => (r = await setter(plainNet).setWeightsForEpoch({ 1: 0.6, 2: 0.4 }, { epoch: 101 })))).toBe(1000);
    expect(r).toMatchObject({ status: 'set', tries: 2, readBackMatches: true });
    expect(await attempts(plainNet, 101)).toEqual([
      ['set', false, 'connection lost'],
      ['set', true, null],
    ]);
    expect(faulty.sent).toEqual(['setWeights']);
  });

  it('adopts a try that landed although its reply was lost, without sending again', async () => {
    faulty.failNext('setWeights', new ChainError(ChainErrorCode.NotIncluded, 'no inclusion seen within 30 s'), { afterLanding: true });
    const r = await setter(plainNet).setWeightsForEpoch({ 1: 0.2, 3: 0.8 }, { epoch: 102 });
    expect(r).toMatchObject({ status: 'set', tries: 1, readBackMatches: true });
    expect(await attempts(plainNet, 102)).toEqual([['set', false, 'no inclusion seen within 30 s']]);
    expect(faulty.sent).toEqual(['setWeights']);
    expect(await real.readWeights(plainNet, 0)).toEqual(r.uids.map((u, i) => [u, r.values[i]]));
  });

  it('stops at a permanent runtime error at once: the row failed, no backoff, one send', async () => {
    // uid 9 does not exist on a subnet of four neurons: the runtime refuses the vector.
    let error: unknown;
    const wait = await waited(() => setter(plainNet).setWeightsForEpoch({ 1: 0.5, 9: 0.5 }, { epoch: 103 }).catch((e: unknown) => (error = e)));
    expect(error).toBeInstanceOf(ChainError);
    expect((error as ChainError).runtimeError).toBe('subtensorModule.UidVecContainInvalidOne');
    expect(wait).toBe(0);
    expect(await repo.findForEpoch(plainNet, 103)).toMatchObject({ status: 'failed', tries: 1 });
    expect(faulty.sent).toEqual(['setWeights']);
  });

  it('gives up after maxTries transient failures, with backoffs of 1 s and 2 s between them', async () => {
    for (let i = 0; i < 3; i++) faulty.failNext('setWeights', new ChainError(ChainErrorCode.Unavailable, `connection lost ${i + 1}`));
    let error: unknown;
    expect(await waited(() => setter(plainNet).setWeightsForEpoch({ 2: 1 }, { epoch: 104 }).catch((e: unknown) => (error = e)))).toBe(3000);
    expect(error).toMatchObject({ code: ChainErrorCode.Unavailable, message: 'connection lost 3' });
    expect(await repo.findForEpoch(plainNet, 104)).toMatchObject({ status: 'failed', tries: 3, error: 'connection lost 3' });
    expect(faulty.sent).toEqual([]);
  });

  it('two workers setting the same epoch at once send it once: the one that records the first send', async () => {
    const vector = { 1: 0.3, 2: 0.7 };
    const results = await Promise.all([setter(plainNet).setWeightsForEpoch(vector, { epoch: 105 }), setter(plainNet).setWeightsForEpoch(vector, { epoch: 105 })]);
    expect(faulty.sent).toEqual(['setWeights']);
    expect(results.map((r) => r.status)).toContain('set');
    expect(await repo.findForEpoch(plainNet, 105)).toMatchObject({ status: 'set', tries: 1 });
  });

  it('a reveal the chain finds too early stays committed for the next revealDue, which reveals in the window', async () => {
    // The node reports a reveal window that opened long ago: the setter tries, the runtime refuses.
    faulty.revealWindowShift = -10_000;
    const committed = await setter(revealNet).setWeightsForEpoch({ 1: 0.7, 2: 0.3 }, { epoch: 201 });
    faulty.revealWindowShift = 0;
    expect(committed.status).toBe('committed');
    expect(await waited(async () => expect(await setter(revealNet).revealDue()).toEqual([]))).toBe(0);
    expect(await repo.findForEpoch(revealNet, 201)).toMatchObject({ status: 'committed', tries: 2 });
    expect((await attempts(revealNet, 201))[1]).toEqual(['reveal', false, expect.stringMatching(/RevealTooEarly$/)]);

    const [pending] = await real.pendingCommits(revealNet, validator.address);
    await advanceTo(pending.firstRevealBlock - 1);
    const revealed = await setter(revealNet).revealDue();
    expect(revealed).toEqual([expect.objectContaining({ epoch: 201, status: 'set', readBackMatches: true })]);
    expect(faulty.sent).toEqual(['commitWeights', 'revealWeights', 'revealWeights']);
  });

  it('a commit whose reveal window has passed fails for good', async () => {
    const committed = await setter(revealNet).setWeightsForEpoch({ 1: 0.1, 2: 0.9 }, { epoch: 202 });
    expect(committed.status).toBe('committed');
    const [pending] = await real.pendingCommits(revealNet, validator.address);
    await advanceTo(pending.lastRevealBlock + 1);
    await expect(setter(revealNet).revealDue()).rejects.toMatchObject({ code: ChainErrorCode.ExtrinsicFailed, runtimeError: 'subtensorModule.ExpiredWeightCommit' });
    expect(await repo.findForEpoch(revealNet, 202)).toMatchObject({ status: 'failed', tries: 2 });
  });
});
