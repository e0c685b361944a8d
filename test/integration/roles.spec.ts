import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { INestApplication, Logger, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import request from 'supertest';
import { ArtifactsController } from '../../src/audit/artifacts.controller';
import { AuditBundleService } from '../../src/audit/audit-bundle.service';
import { auditKeyPath } from '../../src/audit/audit-key';
import { AuditController } from '../../src/audit/audit.controller';
import { BundleSigner } from '../../src/audit/bundle-signer';
import { ChainClient } from '../../src/chain/chain-client';
import { ChainUpkeepService } from '../../src/chain-upkeep.service';
import { MetagraphSyncService } from '../../src/chain/metagraph-sync.service';
import { WeightSetterService } from '../../src/chain/weight-setter.service';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { TaskDataService } from '../../src/evaluation/task-data';
import { Publisher } from '../../src/publishing/publisher';
import { RunDispatcherService } from '../../src/runs/run-dispatcher.service';
import { SandboxReconciler } from '../../src/sandbox/sandbox-reconciler';
import { SandboxRunner } from '../../src/sandbox/sandbox-runner';
import { TrainingExecutor } from '../../src/sandbox/training-executor';
import { ChainEntriesService } from '../../src/submissions/chain-entries.service';
import { HotkeyRegistry } from '../../src/chain/hotkey-registry';
import { RepoIntake } from '../../src/repo-intake/repo-intake';
import { SubmissionsController } from '../../src/submissions/submissions.controller';
import { SubmissionsService } from '../../src/submissions/submissions.service';
import { WeightSink } from '../../src/chain/weight-sink';
import { WinnerPublisher } from '../../src/tournaments/outcome-ports';
import { TournamentAdminService } from '../../src/tournaments/tournament-admin.service';
import { TournamentEngineService } from '../../src/tournaments/tournament-engine.service';
import { TournamentQueriesService } from '../../src/tournaments/tournament-queries.service';
import { TournamentScheduler } from '../../src/tournaments/tournament.scheduler';
import { TournamentsController } from '../../src/tournaments/tournaments.controller';
import { WeightsPreviewService } from '../../src/tournaments/weights-preview.service';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { LocalChain, startLocalChain } from '../support/local-chain';
import { startWorker, WorkerHandle } from '../support/worker';

type Token = Type | (abstract new (...args: never[]) => unknown);

/** What every role needs: submission checks (metagraph cache, one repository intake), weights preview, datasets. */
const SHARED: Token[] = [SubmissionsService, HotkeyRegistry, RepoIntake, DatasetRegistry, WeightsPreviewService];
/** The HTTP surface. */
const API_ONLY: Token[] = [TournamentsController, SubmissionsController, AuditController, ArtifactsController, TournamentQueriesService, TournamentAdminService];
/** Keys and machinery: the chain client (validator hotkey), the bundle signer, sandboxes, the evaluator, the engine, the schedulers. */
const WORKER_ONLY: Token[] = [
  ChainClient,
  BundleSigner,
  AuditBundleService,
  SandboxRunner,
  TrainingExecutor,
  SandboxReconciler,
  TaskDataService,
  TournamentEngineService,
  WeightSetterService,
  WeightSink,
  WinnerPublisher,
  Publisher,
  MetagraphSyncService,
  ChainEntriesService,
  ChainUpkeepService,
  TournamentScheduler,
  RunDispatcherService,
];

function has(app: INestApplication, token: Token): boolean {
  try {
    app.get(token as Type, { strict: false });
    return true;
  } catch {
    return false;
  }
}

const names = (tokens: Token[]) => tokens.map((t) => t.name);

/** Provider and controller instances of every module, with the token each was registered under. */
function instances(app: INestApplication): Array<{ token: unknown; instance: unknown }> {
  return [...app.get(ModulesContainer).values()].flatMap((m) => [...m.providers.values(), ...m.controllers.values()].map((w) => ({ token: w.token, instance: w.instance })));
}

/**
 * Whether an object itself holds an sr25519 key pair (a KeyringPair: sign(), publicKey, address), up to
 * three properties deep, not counting what it reaches through another provider (a service that uses
 * the chain client does not hold the key; the client does).
 */
function holdsKeyPair(value: unknown, others: Set<unknown>, depth = 0, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || depth > 3 || seen.has(value) || (depth > 0 && others.has(value))) return false;
  seen.add(value);
  const v = value as { sign?: unknown; publicKey?: unknown; address?: unknown };
  if (typeof v.sign === 'function' && v.publicKey instanceof Uint8Array && typeof v.address === 'string') return true;
  return Object.values(value).some((child) => holdsKeyPair(child, others, depth + 1, seen));
}

function keyHolders(app: INestApplication): string[] {
  const all = instances(app);
  const others = new Set(all.map((x) => x.instance));
  return all
    .filter((x) => holdsKeyPair(x.instance, others))
    .map((x) => (typeof x.token === 'function' ? x.token.name : String(x.token)))
    .sort();
}

function instancesOf(app: INestApplication, token: Token): Set<unknown> {
  return new Set(instances(app).filter((x) => x.token === token).map((x) => x.instance));
}

describe('roles: each process builds only what its role needs (chain and validator wallet configured)', () => {
  let chain: LocalChain;
  let db: TestDatabase;
  let dir: string;
  let dataDir: string;
  let hotkeyAddress: string;
  const apps: WorkerHandle[] = [];

  const boot = async (role: 'api' | 'worker' | 'all') => {
    const handle = await startWorker({
      db: db.config,
      dataDir,
      role,
      env: { CRUCIBLE_CHAIN_ENDPOINT: chain.endpoint, CRUCIBLE_MNEMONIC_FILE: path.join(dir, 'mnemonic'), CRUCIBLE_WEIGHTS_DRY_RUN: 'false', CRUCIBLE_NETUID: '1' },
    });
    apps.push(handle);
    return handle;
  };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    chain = await startLocalChain();
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-roles-'));
    dataDir = path.join(dir, 'data');
    const phrase = mnemonicGenerate();
    fs.writeFileSync(path.join(dir, 'mnemonic'), `${phrase}\n`, { mode: 0o600 });
    hotkeyAddress = chain.keyring.addFromMnemonic(phrase).address;
  }, 120_000);

  afterAll(async () => {
    for (const a of apps.reverse()) await a.app.close();
    await db?.drop();
    await chain?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  let api: WorkerHandle;

  it('api: the HTTP surface and submission checks; no key, no chain client, signer, sandbox, evaluator, engine or scheduler', async () => {
    api = await boot('api');
    expect(names([...SHARED, ...API_ONLY].filter((t) => !has(api.app, t)))).toEqual([]);
    expect(names(WORKER_ONLY.filter((t) => has(api.app, t)))).toEqual([]);
    expect(keyHolders(api.app)).toEqual([]);
    expect(fs.existsSync(auditKeyPath(dataDir))).toBe(false);
    // No worker has started on this data directory: there is no signer to name yet.
    const signer = await request(api.app.getHttpServer()).get('/api/audit/signer');
    expect(signer.status).toBe(404);
    expect(signer.body.code).toBe('AUDIT_SIGNER_UNPUBLISHED');
  });

  it('worker: the keys and the machinery, no HTTP surface; it publishes the signer, which the API then serves', async () => {
    const worker = await boot('worker');
    expect(names([...SHARED, ...WORKER_ONLY].filter((t) => !has(worker.app, t)))).toEqual([]);
    expect(names(API_ONLY.filter((t) => has(worker.app, t)))).toEqual([]);
    // The validator hotkey signs extrinsics and bundles: held by exactly these two.
    expect(keyHolders(worker.app)).toEqual(['BundleSigner', 'ChainClient']);
    const signer = await request(api.app.getHttpServer()).get('/api/audit/signer');
    expect(signer.status).toBe(200);
    expect(signer.body).toEqual({ address: hotkeyAddress, publicKey: expect.stringMatching(/^0x[0-9a-f]{64}$/), kind: 'validator_hotkey' });
  });

  it('all: both, with one instance of each shared provider (one repository intake, one lock map over the cache)', async () => {
    const all = await boot('all');
    expect(names([...SHARED, ...API_ONLY, ...WORKER_ONLY].filter((t) => !has(all.app, t)))).toEqual([]);
    expect(keyHolders(all.app)).toEqual(['BundleSigner', 'ChainClient']);
    for (const token of [RepoIntake, HotkeyRegistry, DatasetRegistry, SubmissionsService, WeightsPreviewService]) {
      expect([token.name, instancesOf(all.app, token).size]).toEqual([token.name, 1]);
    }
  });
});
