import { Logger } from '@nestjs/common';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { ChainEntriesService } from '../../src/submissions/chain-entries.service';
import { formatChainEntry } from '../../src/submissions/chain-commitment';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { TournamentFactory } from '../../src/tournaments/tournament.factory';
import { newTournamentRulebook } from '../../src/scoring/tournament-rulebook';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { FixtureRepo, makeRepo } from '../support/git-fixtures';
import { LocalChain, startLocalChain } from '../support/local-chain';
import { startWorker, WorkerHandle } from '../support/worker';
import { Transactor } from '../../src/common/transactor';

/** The commitments pallet's Data enum names its Raw variant by length: Raw0 ... Raw128. */
const rawCommitment = (text: string) => ({ fields: [{ [`Raw${Buffer.byteLength(text)}`]: text }] });

/**
 * Miners enter by writing `crucible:v1:<repo URL>@<commit>` as their hotkey's commitment on a real
 * subtensor runtime; the worker's tick reads them while registration is open.
 */
describe('entries from chain commitments on the local chain', () => {
  let chain: LocalChain;
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  let netuid: number;
  let tournament: TournamentEntity;
  let repo: FixtureRepo;
  let other: FixtureRepo;
  const warn = jest.spyOn(Logger.prototype, 'warn');
  // One hotkey (and its own coldkey: one live entry per coldkey) per case.
  const names = ['valid', 'badPrefix', 'shortCommit', 'nonHex', 'badUrl', 'missingCommit'] as const;
  const miners = {} as Record<(typeof names)[number], KeyringPair>;

  const commitment = (text: string) => chain.api.tx.commitments.setCommitment(netuid, rawCommitment(text) as never);
  const commit = (hotkey: KeyringPair, text: string) => chain.send(hotkey, commitment(text));
  const rows = (hotkey?: string) => w.ds.getRepository(EntrantEntity).find({ where: { tournamentId: tournament.id, ...(hotkey ? { hotkey } : {}) }, order: { receivedAt: 'ASC' } });
  const ignoredLogs = (hotkey: string) => warn.mock.calls.filter(([fields, message]) => message === 'chain commitment ignored' && (fields as { hotkey?: string }).hotkey === hotkey);

  beforeAll(async () => {
    [chain, db] = await Promise.all([startLocalChain(), createTestDatabase('postgres')]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-'));
    const rulebook = newTournamentRulebook({ schedule: { registrationMinutes: 60 } });
    const manifest = JSON.stringify({ entrypoint: 'train.sh', taskTypes: rulebook.tournamentTaskTypes.text });
    repo = makeRepo(path.join(dir, 'a'), { 'crucible.json': manifest, 'train.sh': 'echo a\n' });
    other = makeRepo(path.join(dir, 'b'), { 'crucible.json': manifest, 'train.sh': 'echo b\n' });

    const owner = chain.keyring.addFromUri('//CcOwner');
    for (const name of names) miners[name] = chain.keyring.addFromUri(`//Cc-${name}`);
    const coldkeys = names.map((name) => chain.keyring.addFromUri(`//Cc-${name}-cold`));
    await chain.fund([owner.address, ...Object.values(miners).map((m) => m.address), ...coldkeys.map((c) => c.address)]);
    netuid = await chain.registerSubnet(owner.address);
    await chain.registerNeuronsOf(netuid, names.map((name, i) => [coldkeys[i], miners[name].address]));

    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor: new InMemoryTrainingExecutor(() => ({ loss: 2 })),
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: { CRUCIBLE_CHAIN_ENDPOINT: chain.endpoint, CRUCIBLE_NETUID: String(netuid), CRUCIBLE_WEIGHTS_DRY_RUN: 'true', CRUCIBLE_BLOCK_TIME_MS: '200' },
    });
    tournament = await w.app.get(Transactor).run(() => w.app.get(TournamentFactory).createNextCycle({ type: 'text', opensAt: new Date(Date.now() - 60_000), rulebook }));
  });

  afterAll(async () => {
    warn.mockRestore();
    await w?.app.close();
    await chain?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns a valid commitment into an entry, records refusals and ignores malformed text with a logged reason', async () => {
    expect(tournament.state).toBe('registration');
    const sha = repo.sha;
    // All six in one block, each signed by its hotkey.
    await chain.sendTogether(
      (
        [
          ['valid', formatChainEntry(repo.url, sha)],
          ['badPrefix', `crucible:v2:${repo.url}@${sha}`],
          ['shortCommit', `crucible:v1:${repo.url}@${sha.slice(0, 7)}`],
          ['nonHex', `crucible:v1:${repo.url}@${'z'.repeat(40)}`],
          ['badUrl', `crucible:v1:ftp://example.org/m.git@${sha}`],
          ['missingCommit', formatChainEntry(repo.url, 'f'.repeat(40))],
        ] as const
      ).map(([name, text]) => [miners[name], commitment(text)]),
    );
    const validBlock = (await chain.api.query.commitments.commitmentOf(netuid, miners.valid.address)).toJSON() as { block: number };

    await w.step();
    const readAt = await chain.bestNumber(); // no block was built by the read

    const [entry] = await rows(miners.valid.address);
    expect(entry).toMatchObject({ status: 'accepted', source: 'chain', repoUrl: repo.url, commitSha: sha, signature: null, commitmentBlock: validBlock.block, readAtBlock: readAt, uid: 1 });
    expect(entry.treeHash).toMatch(/^[0-9a-f]{40}$/);

    // Well formed but refused by the intake: kept on record with its reason, so it is decided once.
    const [refused] = await rows(miners.missingCommit.address);
    expect(refused).toMatchObject({ status: 'rejected', source: 'chain', commitSha: 'f'.repeat(40) });
    expect(refused.rejectionReason).toMatch(/commit/i);

    for (const [name, reason] of [
      ['badPrefix', 'commitment does not start with crucible:v1: (starts with "crucible:v2:file")'],
      ['shortCommit', 'commit must be a full 40-character hex SHA (got 7 hex characters)'],
      ['nonHex', 'commit must be a full 40-character hex SHA (got non-hex characters)'],
      ['badUrl', 'the repository URL scheme ftp is not one of https, http, file'],
    ] as const) {
      expect(await rows(miners[name].address)).toEqual([]);
      expect(ignoredLogs(miners[name].address).map(([fields]) => (fields as { reason: string }).reason)).toEqual([reason]);
    }
    expect(await rows()).toHaveLength(2);
  });

  it('refuses a commitment over the chain limit before it reaches the chain', () => {
    const over = formatChainEntry(`https://github.com/${'a'.repeat(57)}`, repo.sha);
    expect(Buffer.byteLength(over)).toBe(129);
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // @polkadot/types logs the failed decode
    try {
      expect(() => chain.api.tx.commitments.setCommitment(netuid, rawCommitment(over) as never)).toThrow(/unable to find 'Raw129'/);
    } finally {
      quiet.mockRestore();
    }
  });

  it('reads the same commitments again at the next tick without a second entry', async () => {
    const before = await rows();
    const pass = await w.app.get(ChainEntriesService).enterOpenTournaments();
    await w.step();
    expect(pass).toMatchObject({ entered: 0, rejected: 0, ignored: 4 });
    expect(await rows()).toEqual(before);
    // Each malformed commitment was logged once, not once per tick.
    expect(ignoredLogs(miners.badPrefix.address)).toHaveLength(1);
  });

  it('does not change the entry when the commitment changes after registration closes', async () => {
    const [entry] = await rows(miners.valid.address);
    await w.ds.getRepository(TournamentEntity).update({ id: tournament.id }, { registrationClosesAt: new Date(Date.now() - 1000) });
    await w.step();
    expect((await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: tournament.id })).state).not.toBe('registration');

    // The pallet allows one commitment per 100 blocks; forget the last one rather than build 100 blocks.
    const provider = new WsProvider(chain.endpoint);
    await provider.isReady;
    await provider.send('dev_setStorage', [{ Commitments: { LastCommitment: [[[netuid, miners.valid.address], null]] } }]);
    await provider.disconnect();
    await commit(miners.valid, formatChainEntry(other.url, other.sha));
    const changed = (await chain.api.query.commitments.commitmentOf(netuid, miners.valid.address)).toJSON() as { block: number };
    expect(changed.block).toBeGreaterThan(entry.commitmentBlock!);

    await w.step();
    expect(await w.app.get(ChainEntriesService).enterOpenTournaments()).toEqual({ block: null, entered: 0, rejected: 0, ignored: 0 });
    expect(await rows(miners.valid.address)).toEqual([entry]);
  });
});
