import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import type { KeyringPair } from '@polkadot/keyring/types';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { DataSource } from 'typeorm';
import { ChainClient } from '../../src/chain/chain-client';
import { MetagraphHotkeyRegistry } from '../../src/chain/metagraph-hotkey-registry';
import { MetagraphSyncService } from '../../src/chain/metagraph-sync.service';
import { MetagraphRepository } from '../../src/chain/metagraph.repository';
import { AsyncLocalTransactor } from '../../src/db/async-local-transactor';
import { PolkadotChainClient } from '../../src/chain/polkadot-chain-client';
import { loadHotkey, writeHotkeyFile } from '../../src/chain/wallet';
import { WeightSetRepository } from '../../src/chain/weight-set.repository';
import { WeightSetterService, WeightSetterSettings } from '../../src/chain/weight-setter.service';
import { ManualClock } from '../../src/common/clock';
import { openDataSource } from '../../src/db/data-source';
import { convertWeightsAndUidsForEmit } from '../../src/scoring/u16';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { LocalChain, startLocalChain } from '../support/local-chain';

/** Weights on a real subtensor runtime (chopsticks, raonet spec) through the polkadot adapter. */
describe('chain (real subtensor runtime)', () => {
  let chain: LocalChain;
  let db: TestDatabase;
  let ds: DataSource;
  let validator: KeyringPair;
  let client: ChainClient;
  let netuid: number;
  const miners: Record<number, KeyringPair> = {};
  const clock = new ManualClock();
  let tmp: string;

  const settings = (n: number): WeightSetterSettings => ({ netuid: n, dryRun: false, maxTries: 3, retryBaseMs: 10, blockTimeMs: 1000, fallbackTempo: 360 });

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    [chain, db] = await Promise.all([startLocalChain(), createTestDatabase('postgres')]);
    ds = await openDataSource(db.config, { migrate: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-wallet-'));
    const walletDir = path.join(tmp, 'wallets', 'validator');
    const phrase = mnemonicGenerate();
    const pair = chain.keyring.addFromMnemonic(phrase);
    writeHotkeyFile(path.join(walletDir, 'hotkeys', 'default'), pair, phrase);
    validator = await loadHotkey({ walletPath: walletDir, hotkeyName: 'default' });
    expect(validator.address).toBe(pair.address);

    await chain.fund([validator.address]);
    netuid = await chain.registerSubnet(validator.address, { tempo: 10 });
    const hotkeys = [0, 1, 2].map((i) => chain.keyring.addFromUri(`//Miner${i}`));
    const uids = await chain.registerNeurons(netuid, chain.accounts.bob, hotkeys.map((h) => h.address));
    uids.forEach((uid, i) => (miners[uid] = hotkeys[i]));
    client = new PolkadotChainClient({ endpoint: chain.endpoint, signer: validator, inclusionTimeoutMs: 30_000 });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await chain?.close();
    await ds?.destroy();
    await db?.drop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('syncs the metagraph into the cache and answers the hotkey registry from it', async () => {
    const tx = new AsyncLocalTransactor(ds);
    const sync = new MetagraphSyncService(client, new MetagraphRepository(tx, tx), clock);
    const graph = await sync.sync(netuid);
    expect(graph.neurons.map((n) => n.uid)).toEqual([0, 1, 2, 3]);
    expect(graph.neurons[0]).toMatchObject({ hotkey: validator.address, coldkey: chain.accounts.alice.address });
    expect(graph.neurons[0].validatorPermit).toBe(true);
    expect(BigInt(graph.neurons[0].stake)).toBeGreaterThan(0n);

    const registry = new MetagraphHotkeyRegistry(new MetagraphRepository(tx, tx), netuid);
    await expect(registry.lookup(miners[2].address)).resolves.toEqual({ uid: 2, coldkey: chain.accounts.bob.address });
    await expect(registry.lookup(chain.keyring.addFromUri('//Stranger').address)).resolves.toBeNull();
  });

  it('reads the hyperparameters that matter', async () => {
    const h = await client.hyperparameters(netuid);
    expect(h).toMatchObject({ netuid, tempo: 10, weightsRateLimit: 0, commitRevealEnabled: false });
    expect(typeof h.weightsVersionKey).toBe('bigint');
  });

  it('sets weights from a float vector, reads them back equal to the u16 vector, and never twice per epoch', async () => {
    const setter = new WeightSetterService(client, new WeightSetRepository(ds), settings(netuid), clock);
    const floats = new Map([
      [1, 0.5],
      [2, 0.3],
      [3, 0.2],
      [0, 0],
    ]);
    const expected = convertWeightsAndUidsForEmit([0, 1, 2, 3], [0, 0.5, 0.3, 0.2]);
    const r = await setter.setWeightsForEpoch(floats, { epoch: 1 });
    expect(r.status).toBe('set');
    expect(r.uids).toEqual(expected.uids);
    expect(r.values).toEqual(expected.weights);
    expect(r.readBackMatches).toBe(true);
    expect(await client.readWeights(netuid, 0)).toEqual(expected.uids.map((u, i) => [u, expected.weights[i]]));
    expect(r.block).toBeGreaterThan(0);

    const before = await chain.bestNumber();
    const again = await setter.setWeightsForEpoch(floats, { epoch: 1 });
    expect(again).toMatchObject({ status: 'set', alreadyHandled: true, block: r.block });
    expect(await chain.bestNumber()).toBe(before);
  });

  it('with commit-reveal on: commits, then reveals in the reveal epoch', async () => {
    const crNet = await chain.registerSubnet(validator.address, { commitReveal: true, tempo: 20, revealPeriodEpochs: 1 });
    await chain.registerNeurons(crNet, chain.accounts.charlie, [0, 1].map((i) => chain.keyring.addFromUri(`//CrMiner${i}`).address));
    const setter = new WeightSetterService(client, new WeightSetRepository(ds), settings(crNet), clock);
    const committed = await setter.setWeightsForEpoch({ 1: 0.7, 2: 0.3 }, { epoch: 5 });
    expect(committed.status).toBe('committed');
    expect(committed.commitHash).toMatch(/^0x[0-9a-f]{64}$/);
    const pending = await client.pendingCommits(crNet, validator.address);
    expect(pending.map((c) => c.hash)).toContain(committed.commitHash);

    // To the block before the reveal window (one block at that height), then keep the chain moving
    // while the setter waits: Instant mode only builds blocks on extrinsics.
    const [mine] = pending.filter((c) => c.hash === committed.commitHash);
    await chain.jumpTo(mine.firstRevealBlock - 2);
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await chain.newBlocks(1);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const revealed = await setter.setWeightsForEpoch({ 1: 0.7, 2: 0.3 }, { epoch: 5, waitForReveal: true });
      expect(revealed.status).toBe('set');
      expect(revealed.readBackMatches).toBe(true);
      expect(await client.readWeights(crNet, 0)).toEqual(committed.uids.map((u, i) => [u, committed.values[i]]));
      expect(await client.pendingCommits(crNet, validator.address)).toEqual([]);
    } finally {
      ticking = false;
      await ticker;
    }
  });
});
