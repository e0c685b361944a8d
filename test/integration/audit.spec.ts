import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Keyring } from '@polkadot/keyring';
import { Logger } from '@nestjs/common';
import { ArtifactArchive } from '../../src/audit/artifact-archive';
import { AuditBundleRepository } from '../../src/audit/audit-bundle.repository';
import { AuditBundleService } from '../../src/audit/audit-bundle.service';
import { runAuditCommand } from '../../src/audit/audit-command';
import { auditKeyPath, loadAuditKey, loadOrCreateAuditKey } from '../../src/audit/audit-key';
import { AuditController } from '../../src/audit/audit.controller';
import { AuditSourceRepository } from '../../src/audit/audit-source.repository';
import { AuditBundleBody, BundleEnvelope } from '../../src/audit/bundle-format';
import { KeyringBundleSigner } from '../../src/audit/bundle-signer';
import { canonicalJson } from '../../src/audit/canonical-json';
import { Clock } from '../../src/common/clock';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import { canonicalTestSplit, splitDataset } from '../../src/evaluation/datasets/split';
import type { PreparedTaskData, TaskDataRequest } from '../../src/evaluation/task-data';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

/** Instant models, but the published test-set commitments are those of the real seeded splits. */
class RealSplitTaskData extends FakeTaskDataService {
  private readonly registry = new DatasetRegistry();
  override async prepare(req: TaskDataRequest): Promise<PreparedTaskData> {
    const prepared = await super.prepare(req);
    const split = splitDataset(await this.registry.load(req.datasetId, req.seed), req.seed);
    return { ...prepared, testSetCommitment: createHash('sha256').update(canonicalTestSplit(split)).digest('hex') };
  }
}

const sha = (x: string) => createHash('sha256').update(x).digest('hex');
const HOTKEYS = Array.from({ length: 5 }, (_, i) => `hotkey-${i.toString().padStart(4, '0')}`);

/** A tournament run by the engine, sealed when it completes, then audited from the bundle files alone. */
describe('audit: every decision re-derived from sealed bundles', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  let bundleDir: string;
  let tournament: TournamentEntity;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-audit-'));
    // Miner i's model scores 2.0 + 0.1 i; the baseline champion 3.0: miner 0 wins every round and the boss round.
    const executor = new InMemoryTrainingExecutor((job) => ({ loss: job.repoUrl.includes('baseline') ? 3 : 2 + Number(/miner-(\d)/.exec(job.repoUrl)?.[1]) * 0.1 }));
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor,
      taskData: new RealSplitTaskData(path.join(dir, 'eval')),
      // The worker seals; the API serves the signer it published.
      role: 'all',
      env: {
        CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
        CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
        CRUCIBLE_OWNER_UID: '0',
        CRUCIBLE_STATIC_METAGRAPH: HOTKEYS.map((h, i) => `${h}=${i + 1}`).join(','),
      },
    });
    const t = await createClosedTournament(w.app, { bossTasks: 3 });
    await addEntrants(w.app, t.id, HOTKEYS.map((_, i) => ({ repoUrl: `https://example.org/miner-${i}.git` })));
    await w.runUntil(t.id, 'completed');
    tournament = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    bundleDir = path.join(w.config.dataDir, 'audit');
  });

  afterAll(async () => {
    await w?.app.close();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function files(d: string): string[] {
    return fs.readdirSync(d).filter((n) => n.endsWith('.json')).sort();
  }

  function copyBundles(): string {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bundles-'));
    for (const f of files(bundleDir)) fs.copyFileSync(path.join(bundleDir, f), path.join(out, f));
    return out;
  }

  /** Changes one bundle's body, then re-hashes, re-links and re-signs it and every later bundle with the validator's own key. */
  async function tamper(d: string, kind: string, change: (body: AuditBundleBody) => void, key?: KeyringBundleSigner): Promise<void> {
    const signer = key ?? new KeyringBundleSigner((await loadAuditKey(w.config.dataDir))!, 'audit_key');
    let previous: string | null = null;
    let started = false;
    for (const name of files(d)) {
      const file = path.join(d, name);
      const env = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleEnvelope;
      const body = JSON.parse(env.body) as AuditBundleBody;
      if (!started && body.kind === kind) {
        change(body);
        started = true;
      } else if (started) {
        body.previousSha256 = previous;
      }
      if (started) {
        env.body = canonicalJson(body);
        env.sha256 = sha(env.body);
        env.signature = signer.sign(env.sha256);
        fs.writeFileSync(file, JSON.stringify(env));
      }
      previous = env.sha256;
    }
    expect(started).toBe(true);
  }

  async function audit(d: string): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await runAuditCommand({ source: d, days: 7, out: (l) => lines.push(l) });
    return { code, text: lines.join('\n') };
  }

  async function expectOnlyFailure(d: string, check: string, difference: RegExp): Promise<void> {
    const { code, text } = await audit(d);
    expect(code).toBe(1);
    expect(text).toMatch(/PASS {2}envelopes/);
    expect(text).toMatch(new RegExp(`FAIL {2}${check}`));
    expect(text).toMatch(difference);
    expect(text.match(/^FAIL/gm)).toHaveLength(1);
  }

  it('seals the tournament when it completes and the weight set when it is made, hash chained and signed by the persistent audit key', async () => {
    const names = files(bundleDir);
    expect(names.some((n) => n.endsWith('-tournament.json'))).toBe(true);
    expect(names.some((n) => n.endsWith('-weights.json'))).toBe(true);
    const key = auditKeyPath(w.config.dataDir);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateAuditKey(w.config.dataDir);
    const env = JSON.parse(fs.readFileSync(path.join(bundleDir, names[0]), 'utf8')) as BundleEnvelope;
    expect(env.signer).toBe(again.address);
    expect(await w.app.get(AuditController).signerInfo()).toEqual({ address: again.address, publicKey: `0x${Buffer.from(again.publicKey).toString('hex')}`, kind: 'audit_key' });
  });

  it('re-derives everything from the untampered bundles: audit OK', async () => {
    const { code, text } = await audit(bundleDir);
    expect(text).not.toMatch(/^FAIL/m);
    // 5 challengers: knockout (2 pairs + 1 against the champion: 3 tasks), knockout (2), knockout (1), boss (3 tasks): 9 tasks, 4 rounds.
    expect(text).toMatch(/re-derived: \d+ bundles, \d+ evaluations, 9 seeds, 9 splits, 9 task rankings, 4 rounds, 1 boss verdicts, 1 final rankings, 1 weight sets, 0 re-evaluations/);
    expect(text).toContain('audit: OK');
    expect(code).toBe(0);
    const json: string[] = [];
    expect(await runAuditCommand({ source: bundleDir, days: 7, json: true, out: (l) => json.push(l) })).toBe(0);
    expect(JSON.parse(json.join('\n'))).toMatchObject({ ok: true, counts: { verdicts: 1, weightSets: 1 } });
  });

  it('the final ranking swapped', async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      const r = b.tournaments[0].ranking!;
      [r[0], r[1]] = [r[1], r[0]];
    });
    await expectOnlyFailure(d, 'rankings', new RegExp(`tournament ${tournament.id} .*: ranking\\[0\\]: recorded "${tournament.ranking![1]}", re-derived "${tournament.ranking![0]}"`));
  });

  it('one per-example loss changed, with the loss hash and the metric updated consistently', async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      const boss = b.rounds.find((r) => r.kind === 'boss')!;
      const task = b.tasks.find((t) => t.roundId === boss.id)!;
      const e = b.evaluations.find((x) => x.taskId === task.id && x.runId !== null)!;
      const losses = Buffer.from(e.losses!, 'base64');
      losses.writeDoubleLE(losses.readDoubleLE(0) + 0.5, 0);
      let sum = 0;
      for (let i = 0; i < losses.length / 8; i++) sum += losses.readDoubleLE(i * 8);
      e.losses = losses.toString('base64');
      e.lossesSha256 = createHash('sha256').update(losses).digest('hex');
      e.metricValue = sum / (losses.length / 8);
    });
    await expectOnlyFailure(d, 'rankings', /round 3 \(boss\): verdict\.tasks\[\d\]\.(bootstrap|champion|challenger)/);
  });

  it("a task's recorded params changed (the DPO beta its evaluation would use)", async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      b.tasks[0].params = { beta: 0.5 };
    });
    await expectOnlyFailure(d, 'rankings', /task .*: params differ from the rulebook's taskTypes\.[a-z-]+: beta: recorded 0\.5, re-derived undefined/);
  });

  it('a revealed seed replaced', async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      b.tasks[0].revealedSeed = 'f'.repeat(32);
    });
    const { code, text } = await audit(d);
    expect(code).toBe(1);
    expect(text).toMatch(/FAIL {2}seeds/);
    expect(text).toMatch(/first difference: tournament .* round \d task .*: seedCommitment: published [0-9a-f]{64}, the revealed seed hashes to/);
  });

  it('a boss verdict flipped', async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      const verdict = b.rounds.find((r) => r.kind === 'boss')!.decision!.verdict as { challengerWins: boolean };
      verdict.challengerWins = !verdict.challengerWins;
    });
    await expectOnlyFailure(d, 'rankings', /round 3 \(boss\): verdict\.challengerWins: recorded false, re-derived true/);
  });

  it("one task's split commitment replaced", async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      b.tasks[1].testSetCommitment = 'e'.repeat(64);
    });
    await expectOnlyFailure(d, 'splits', new RegExp(`task .*: testSetCommitment: published ${'e'.repeat(64)}, re-derived from the revealed seed [0-9a-f]{64}`));
  });

  it("an evaluation's causality sample replaced by a smaller one", async () => {
    const d = copyBundles();
    await tamper(d, 'tournament', (b) => {
      const e = b.evaluations.find((x) => x.runId !== null)!;
      e.causality = { method: 'crucible-causal/2', tolerance: 1e-4, checks: [{ example: 0, cut: 0, donor: 1 }], maxDeviation: 0 };
    });
    // grammar-lm-v1's split holds 307 test sequences: crucible-causal/2 draws min(64, floor(307 / 2)) = 64.
    await expectOnlyFailure(d, 'splits', /evaluation .* \(run .*\): causality\.checks: recorded 1, re-derived 64/);
  });

  it("the metagraph snapshot's uid of the winner changed", async () => {
    const d = copyBundles();
    await tamper(d, 'weights', (b) => {
      b.weightSets[0].basis.metagraph.uids = { ...b.weightSets[0].basis.metagraph.uids, [HOTKEYS[0]]: 42 };
    });
    await expectOnlyFailure(d, 'weights', /weight set .*: uids\[1\]: recorded 1, re-derived 2/);
  });

  it("a weight set's u16 values changed", async () => {
    const d = copyBundles();
    await tamper(d, 'weights', (b) => {
      b.weightSets[0].values[1] -= 1;
    });
    await expectOnlyFailure(d, 'weights', /weight set .*: values\[1\]: recorded \d+, re-derived 65535/);
  });

  it('a change of signing key passes only when the old key signed it', async () => {
    const hotkey = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//NewValidator');
    const oldKey = new KeyringBundleSigner((await loadAuditKey(w.config.dataDir))!, 'audit_key');
    const d = copyBundles();
    const service = new AuditBundleService(new AuditSourceRepository(w.ds), new AuditBundleRepository(w.ds), new KeyringBundleSigner(hotkey, 'validator_hotkey', oldKey), w.app.get(ArtifactArchive), { ...w.config, dataDir: path.join(d, 'x') }, w.app.get(Clock));
    const [change] = await service.sealDue(0);
    expect(JSON.parse(change.body)).toMatchObject({ kind: 'key_change', keyChange: { from: oldKey.address, to: hotkey.address } });
    fs.writeFileSync(path.join(d, '999999-key_change.json'), JSON.stringify(change));
    expect((await audit(d)).text).toContain('audit: OK');

    await tamper(d, 'key_change', (b) => {
      b.keyChange!.signature = `0x${'00'.repeat(64)}`;
    }, new KeyringBundleSigner(hotkey));
    const { code, text } = await audit(d);
    expect(code).toBe(1);
    expect(text).toMatch(/keyChange\.signature: the change to .* is not signed by the old key/);
  });
});
