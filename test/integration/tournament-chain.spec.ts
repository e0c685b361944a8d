import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { ChainClient } from '../../src/chain/chain-client';
import { writeHotkeyFile } from '../../src/chain/wallet';
import { WeightSetEntity } from '../../src/chain/weight-set.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { convertWeightsAndUidsForEmit } from '../../src/scoring/u16';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { LocalChain, startLocalChain } from '../support/local-chain';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

/** The end of a tournament on a real subtensor runtime: its weights set by the engine, read back from storage. */
describe('a finished tournament sets its weights on the local chain', () => {
  let chain: LocalChain;
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle | undefined;

  beforeAll(async () => {
    [chain, db] = await Promise.all([startLocalChain(), createTestDatabase('postgres')]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-tchain-'));
  });

  afterAll(async () => {
    await w?.app.close();
    await chain?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('registers, runs the tournament, sets weights and reads back the same u16 vector', async () => {
    const walletDir = path.join(dir, 'wallets', 'validator');
    const phrase = mnemonicGenerate();
    const validator = chain.keyring.addFromMnemonic(phrase);
    writeHotkeyFile(path.join(walletDir, 'hotkeys', 'default'), validator, phrase);
    await chain.fund([validator.address]);
    const netuid = await chain.registerSubnet(validator.address, { tempo: 10 });
    const miners = [0, 1, 2].map((i) => chain.keyring.addFromUri(`//Miner${i}`));
    const uids = await chain.registerNeurons(netuid, chain.accounts.bob, miners.map((m) => m.address));

    const executor = new InMemoryTrainingExecutor((job: TrainingJob) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 + Number(/miner-(\d)/.exec(job.repoUrl)?.[1]) * 0.1 }));
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor,
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: {
        CRUCIBLE_CHAIN_ENDPOINT: chain.endpoint,
        CRUCIBLE_WALLET_PATH: walletDir,
        CRUCIBLE_NETUID: String(netuid),
        CRUCIBLE_WEIGHTS_DRY_RUN: 'false',
        CRUCIBLE_OWNER_UID: '0',
        CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
        CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
        CRUCIBLE_BLOCK_TIME_MS: '200',
      },
    });
    const t = await createClosedTournament(w.app);
    await addEntrants(w.app, t.id, miners.map((m, i) => ({ repoUrl: `https://example.org/miner-${i}.git`, hotkey: m.address, uid: uids[i] })));
    await w.runUntil(t.id, 'completed', 200);

    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.stateReason).toMatch(/seeds revealed/);
    const preview = await w.app.get(WeightsPreviewService).preview();
    const expected = convertWeightsAndUidsForEmit(preview.vector.uids, preview.vector.weights);
    const rows = await w.ds.getRepository(WeightSetEntity).find({ where: { netuid } });
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows[0]).toMatchObject({ status: 'set', uids: expected.uids, values: expected.weights });
    expect(rows[0].block).toBeGreaterThan(0);
    const onChain = await w.app.get(ChainClient).readWeights(netuid, 0);
    expect(onChain).toEqual(expected.uids.map((u, i) => [u, expected.weights[i]]));
    // Miner 0 (uid 1) won: the largest u16 is its.
    expect(onChain.find(([, v]) => v === 65535)?.[0]).toBe(uids[0]);
  }, 300_000);
});
