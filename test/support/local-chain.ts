import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/**
 * A real subtensor runtime (raonet spec, spec_version 218) run offline and in-process by chopsticks,
 * one block per extrinsic ("Instant"). Shared by the chain, submission and tournament suites.
 *
 *   const chain = await startLocalChain();
 *   const netuid = await chain.registerSubnet(validatorHotkey.address);
 *   const uid = await chain.registerNeuron(netuid, chain.accounts.bob, minerHotkey.address);
 *   ...
 *   await chain.close();
 */

export const RAONET_SPEC = path.resolve(__dirname, '../fixtures/chain/raonet.json');

/** 1 million TAO in rao: plenty for locks, burns and fees. */
const FUNDING = 10n ** 15n;

export interface LocalChain {
  /** ws://127.0.0.1:<port> */
  endpoint: string;
  api: ApiPromise;
  keyring: Keyring;
  /** Funded dev accounts; alice is sudo. */
  accounts: { alice: KeyringPair; bob: KeyringPair; charlie: KeyringPair };
  /** Gives accounts a free balance (no extrinsic, one new block). */
  fund(addresses: string[]): Promise<void>;
  /** Signs and submits with an explicit nonce, waits for inclusion, throws on a dispatch error. */
  send(signer: KeyringPair, tx: SubmittableExtrinsic<'promise'>): Promise<{ blockHash: string; events: ISubmittableResult['events'] }>;
  /**
   * Signs and submits each (signer, tx) at once and includes them all in one block (as `send` does
   * for one); for extrinsics of different signers, which no batch call can join. Throws on any
   * dispatch error.
   */
  sendTogether(txs: Array<[KeyringPair, SubmittableExtrinsic<'promise'>]>): Promise<Array<{ blockHash: string; events: ISubmittableResult['events'] }>>;
  /** Runs a call as root through the sudo pallet (alice). */
  sudo(call: SubmittableExtrinsic<'promise'>): Promise<void>;
  /** Registers a subnet whose owner coldkey is alice; the owner hotkey becomes uid 0. Returns netuid. */
  registerSubnet(ownerHotkey: string, opts?: SubnetOptions): Promise<number>;
  /** burnedRegister of a hotkey with a funded coldkey; returns the uid. */
  registerNeuron(netuid: number, coldkey: KeyringPair, hotkey: string): Promise<number>;
  /** burnedRegister of several hotkeys of one coldkey in one block (batchAll); returns their uids in order. */
  registerNeurons(netuid: number, coldkey: KeyringPair, hotkeys: string[]): Promise<number[]>;
  /** burnedRegister of each (coldkey, hotkey) pair, each signed by its coldkey, all in one block; returns the uids in order. */
  registerNeuronsOf(netuid: number, pairs: Array<[KeyringPair, string]>): Promise<number[]>;
  /** Builds n empty blocks. */
  newBlocks(count: number): Promise<number>;
  /**
   * Moves the chain to block `block` by building one empty block with that number (chopsticks'
   * unsafeBlockHeight): what the runtime checks by block number (reveal windows, rate limits) sees the
   * height, without building every block in between (about a second each on a busy 2-core machine).
   */
  jumpTo(block: number): Promise<number>;
  bestNumber(): Promise<number>;
  close(): Promise<void>;
}

export interface SubnetOptions {
  commitReveal?: boolean;
  weightsRateLimit?: number;
  tempo?: number;
  /** Reveal period in epochs when commit-reveal is on. */
  revealPeriodEpochs?: number;
  minAllowedWeights?: number;
  versionKey?: number;
}

export async function startLocalChain(): Promise<LocalChain> {
  // chopsticks logs every block at info level; tests want only its errors.
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'error';
  const { setupWithServer, destroyWorker } = await import('@acala-network/chopsticks');
  await cryptoWaitReady();
  const genesis = JSON.parse(fs.readFileSync(RAONET_SPEC, 'utf8')) as unknown;
  const server = await setupWithServer({ genesis, port: 0, host: '127.0.0.1', 'build-block-mode': 'Instant' } as never);
  const endpoint = `ws://${server.addr}`;
  const provider = new WsProvider(endpoint);
  const api = await ApiPromise.create({ provider, noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const accounts = { alice: keyring.addFromUri('//Alice'), bob: keyring.addFromUri('//Bob'), charlie: keyring.addFromUri('//Charlie') };

  const rpc = (method: string, params: unknown[]): Promise<unknown> => provider.send(method, params);

  const fund = async (addresses: string[]): Promise<void> => {
    await rpc('dev_setStorage', [
      { System: { Account: addresses.map((a) => [[a], { providers: 1, data: { free: FUNDING.toString() } }]) } },
    ]);
    await rpc('dev_newBlock', [{ count: 1 }]);
  };

  const send: LocalChain['send'] = async (signer, tx) => {
    const nonce = (await api.rpc.system.accountNextIndex(signer.address)).toNumber();
    return new Promise((resolve, reject) => {
      let unsub: (() => void) | undefined;
      tx.signAndSend(signer, { nonce }, (result) => {
        if (result.dispatchError) {
          unsub?.();
          reject(new Error(`dispatch error: ${describeDispatchError(api, result)}`));
          return;
        }
        if (result.status.isInBlock || result.status.isFinalized) {
          unsub?.();
          const failed = result.events.find(({ event }) => api.events.sudo?.Sudid?.is(event) && !(event.data[0] as unknown as { isOk: boolean }).isOk);
          if (failed) {
            reject(new Error(`sudo call failed: ${failed.event.data[0].toString()}`));
            return;
          }
          resolve({ blockHash: (result.status.isInBlock ? result.status.asInBlock : result.status.asFinalized).toHex(), events: result.events });
        } else if (result.isError) {
          unsub?.();
          reject(new Error(`extrinsic not included: ${result.status.type}`));
        }
      })
        .then((u) => (unsub = u))
        .catch(reject);
    });
  };

  const sendTogether: LocalChain['sendTogether'] = async (txs) => {
    // Manual block building while they are submitted: every one is in the pool before the block is built.
    await rpc('dev_setBlockBuildMode', ['Manual']);
    try {
      const included = txs.map(([signer, tx]) => send(signer, tx));
      included.forEach((p) => p.catch(() => undefined));
      for (let waited = 0; ((await rpc('author_pendingExtrinsics', [])) as unknown[]).length < txs.length; waited += 1) {
        if (waited >= 200) throw new Error(`only some of ${txs.length} extrinsics reached the pool`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await rpc('dev_newBlock', [{ count: 1 }]);
      return await Promise.all(included);
    } finally {
      await rpc('dev_setBlockBuildMode', ['Instant']);
    }
  };

  const sudo = async (call: SubmittableExtrinsic<'promise'>): Promise<void> => {
    await send(accounts.alice, api.tx.sudo.sudo(call));
  };

  const newBlocks = async (count: number): Promise<number> => {
    await rpc('dev_newBlock', [{ count }]);
    return bestNumber();
  };
  const bestNumber = async (): Promise<number> => (await api.rpc.chain.getHeader()).number.toNumber();

  // Make alice sudo and fund the dev accounts.
  await rpc('dev_setStorage', [{ Sudo: { Key: accounts.alice.address } }]);
  await fund(Object.values(accounts).map((a) => a.address));
  await sudo(api.tx.adminUtils.sudoSetNetworkRateLimit(0));

  const registerSubnet: LocalChain['registerSubnet'] = async (ownerHotkey, opts = {}) => {
    const { events } = await send(accounts.alice, api.tx.subtensorModule.registerNetwork(ownerHotkey, 1));
    const added = events.find(({ event }) => event.section === 'subtensorModule' && event.method === 'NetworkAdded');
    if (!added) throw new Error('registerNetwork emitted no NetworkAdded event');
    const netuid = Number(added.event.data[0].toString());
    const admin = api.tx.adminUtils;
    const settings = [
      admin.sudoSetCommitRevealWeightsEnabled(netuid, opts.commitReveal ?? false),
      admin.sudoSetWeightsSetRateLimit(netuid, opts.weightsRateLimit ?? 0),
      ...(opts.tempo !== undefined ? [admin.sudoSetTempo(netuid, opts.tempo)] : []),
      ...(opts.revealPeriodEpochs !== undefined ? [admin.sudoSetCommitRevealWeightsInterval(netuid, opts.revealPeriodEpochs)] : []),
      ...(opts.minAllowedWeights !== undefined ? [admin.sudoSetMinAllowedWeights(netuid, opts.minAllowedWeights)] : []),
      ...(opts.versionKey !== undefined ? [admin.sudoSetWeightsVersionKey(netuid, opts.versionKey)] : []),
      // Registration is rate limited per block and interval by default; tests register many at once.
      admin.sudoSetMaxRegistrationsPerBlock(netuid, 64),
      admin.sudoSetTargetRegistrationsPerInterval(netuid, 64),
    ];
    // One block for all of them (batchAll: all or none): each block runs the whole runtime, about a
    // second or more on a busy 2-core machine, and a subnet took eight of them one call at a time.
    await sudo(api.tx.utility.batchAll(settings));
    return netuid;
  };

  const registerNeurons: LocalChain['registerNeurons'] = async (netuid, coldkey, hotkeys) => {
    const calls = hotkeys.map((hotkey) => api.tx.subtensorModule.burnedRegister(netuid, hotkey));
    const { events } = await send(coldkey, calls.length === 1 ? calls[0] : api.tx.utility.batchAll(calls));
    // NeuronRegistered(netuid, uid, hotkey): one per call, in call order (batchAll runs them in order).
    const uids = events
      .filter(({ event }) => event.section === 'subtensorModule' && event.method === 'NeuronRegistered')
      .map(({ event }) => Number(event.data[1].toString()));
    if (uids.length !== hotkeys.length) throw new Error(`burnedRegister of ${hotkeys.length} hotkeys emitted ${uids.length} NeuronRegistered events`);
    return uids;
  };
  const registerNeuronsOf: LocalChain['registerNeuronsOf'] = async (netuid, pairs) => {
    const results = await sendTogether(pairs.map(([coldkey, hotkey]) => [coldkey, api.tx.subtensorModule.burnedRegister(netuid, hotkey)]));
    return results.map(({ events }, i) => {
      // NeuronRegistered(netuid, uid, hotkey), among this extrinsic's own events.
      const registered = events.find(({ event }) => event.section === 'subtensorModule' && event.method === 'NeuronRegistered');
      if (!registered) throw new Error(`burnedRegister of ${pairs[i][1]} emitted no NeuronRegistered event`);
      return Number(registered.event.data[1].toString());
    });
  };
  const registerNeuron: LocalChain['registerNeuron'] = async (netuid, coldkey, hotkey) => (await registerNeurons(netuid, coldkey, [hotkey]))[0];

  const jumpTo = async (block: number): Promise<number> => {
    const best = await bestNumber();
    if (block <= best) return best;
    await rpc('dev_newBlock', [{ count: 1, unsafeBlockHeight: block }]);
    return bestNumber();
  };

  return {
    endpoint,
    api,
    keyring,
    accounts,
    fund,
    send,
    sendTogether,
    sudo,
    registerSubnet,
    registerNeuron,
    registerNeurons,
    registerNeuronsOf,
    newBlocks,
    jumpTo,
    bestNumber,
    close: async () => {
      await api.disconnect();
      await server.close();
      // The wasm executor runs in a worker thread that would keep the process alive.
      await destroyWorker();
    },
  };
}

function describeDispatchError(api: ApiPromise, result: ISubmittableResult): string {
  const err = result.dispatchError;
  if (!err) return 'unknown';
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return err.toString();
}
