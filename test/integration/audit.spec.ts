import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DataSource } from 'typeorm';
import { AuditBundleRepository } from '../../src/audit/audit-bundle.repository';
import { AuditBundleService, addDays } from '../../src/audit/audit-bundle.service';
import { runAuditCommand } from '../../src/audit/audit-command';
import { AuditSourceRepository } from '../../src/audit/audit-source.repository';
import { BundleEnvelope } from '../../src/audit/bundle-format';
import { KeyringBundleSigner } from '../../src/audit/bundle-signer';
import { sha256Hex } from '../../src/audit/canonical-json';
import { WeightSetEntity } from '../../src/chain/weight-set.entity';
import { ManualClock } from '../../src/common/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { openDataSource } from '../../src/db/data-source';
import { EvaluationEntity } from '../../src/evaluation/evaluation.entity';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import { defaultRulebook } from '../../src/scoring/rulebook';
import { convertWeightsAndUidsForEmit } from '../../src/scoring/u16';
import { computeWeights } from '../../src/scoring/weights';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TaskEntity } from '../../src/tournaments/task.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { createTestDatabase, TestDatabase } from '../support/databases';

const START = '2026-03-01';

/** Seven days of tournaments, runs, losses and weight sets -> sealed bundles -> `crucible audit`. */
describe('audit bundles and recompute', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let dataDir: string;
  let validator: KeyringPair;
  let config: AppConfig;
  let bundleDir: string;
  const clock = new ManualClock(new Date(`${START}T00:00:00Z`));

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    await cryptoWaitReady();
    validator = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//AuditValidator');
    db = await createTestDatabase('postgres');
    ds = await openDataSource(db.config, { migrate: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-audit-'));
    config = loadConfig({ CRUCIBLE_DATA_DIR: dataDir, CRUCIBLE_OWNER_UID: '0', CRUCIBLE_NETUID: '7' });

    // Cycle 1 decided on day 0, cycle 2 on day 3: weight sets every day follow the latest decided one.
    await seedTournament(1, 0, ['hkA', 'hkB', 'hkC'], 'hkC');
    await seedTournament(2, 3, ['hkB', 'hkA', 'hkD'], 'hkA');
    const service = new AuditBundleService(new AuditSourceRepository(ds), new AuditBundleRepository(ds), new KeyringBundleSigner(validator), config, clock);
    for (let d = 0; d < 7; d++) {
      const day = addDays(START, d);
      const createdAt = new Date(`${day}T12:00:00Z`);
      const cycle = d >= 3 ? 2 : 1;
      const emit = await expectedVector(cycle);
      await ds.getRepository(WeightSetEntity).insert({
        netuid: 7, epoch: 100 + d, uids: emit.uids, values: emit.weights, floats: {}, versionKey: '0', status: 'set', block: 1000 + d * 7200,
        tries: 1, createdAt, hotkey: validator.address, attempts: [],
      });
    }
    clock.set(new Date(`${addDays(START, 7)}T00:05:00Z`));
    for (let d = 0; d < 7; d++) await service.sealDay(addDays(START, d));
    expect(await service.sealDueDays(10)).toEqual([]); // nothing left to seal
    await expect(service.sealDay(addDays(START, -1))).rejects.toThrow(/already sealed/);
    bundleDir = service.directory;
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function seedTournament(cycle: number, day: number, ranking: string[], failing: string): Promise<void> {
    const at = new Date(`${addDays(START, day)}T10:00:00Z`);
    const rulebook = defaultRulebook() as unknown as Record<string, unknown>;
    const t = await ds.getRepository(TournamentEntity).save({
      type: 'text', cycle, state: 'completed', rulebook, rulebookVersion: '2026.11-1', registrationOpensAt: at, registrationClosesAt: at, endsBy: at,
      finishedAt: at, ranking: [],
    });
    const round = await ds.getRepository(RoundEntity).save({ tournamentId: t.id, index: 0, kind: 'knockout', state: 'decided' });
    const task = await ds.getRepository(TaskEntity).save({
      tournamentId: t.id, roundId: round.id, slot: 0, taskType: 'causal-lm', datasetId: 'd', baseModel: 'b', timeLimitSeconds: 60, hardware: 'cpu-2',
      seedCommitment: 'a'.repeat(64), testSetCommitment: 'b'.repeat(64), secretSeed: 'secret', spec: {},
    });
    const ids: string[] = [];
    for (const [i, hotkey] of ranking.entries()) {
      const e = await ds.getRepository(EntrantEntity).save({
        tournamentId: t.id, hotkey, uid: { hkA: 1, hkB: 2, hkC: 3, hkD: 4 }[hotkey] ?? null, repoUrl: 'https://x/y.git', commitSha: 'c'.repeat(40),
        signature: `0x${(cycle * 16 + i).toString(16).padStart(128, '0')}`, status: 'accepted', receivedAt: new Date(at.getTime() - 3600_000 + i),
      });
      ids.push(e.id);
      const run = await ds.getRepository(TrainingRunEntity).save({
        tournamentId: t.id, taskId: task.id, entrantId: e.id, attempt: 1, state: 'finished', outcome: hotkey === failing ? 'miner_failed' : 'succeeded',
        hardware: 'cpu-2', queuedAt: at, finishedAt: at,
      });
      if (hotkey !== failing) {
        const losses = Buffer.alloc(8 * 4);
        for (let j = 0; j < 4; j++) losses.writeDoubleLE(2 + i + j / 10, j * 8);
        const file = path.join(dataDir, `${run.id}.losses`);
        fs.writeFileSync(file, losses);
        await ds.getRepository(EvaluationEntity).save({
          taskId: task.id, runId: run.id, metricName: 'cross_entropy', metricValue: 2.15 + i, exampleCount: 4, lossesPath: file,
          lossesSha256: createHash('sha256').update(losses).digest('hex'), modelSha256: 'd'.repeat(64), evaluatorVersion: 'v1', executionProvider: 'cpu',
          createdAt: at,
        });
      }
    }
    await ds.getRepository(TournamentEntity).update({ id: t.id }, { ranking: ids, finishedAt: at });
  }

  async function expectedVector(cycle: number): Promise<{ uids: number[]; weights: number[] }> {
    const t = await ds.getRepository(TournamentEntity).findOneByOrFail({ cycle });
    const entrants = await ds.getRepository(EntrantEntity).findBy({ tournamentId: t.id });
    const runs = await ds.getRepository(TrainingRunEntity).findBy({ tournamentId: t.id, outcome: 'succeeded' });
    const byId = new Map(entrants.map((e) => [e.id, e]));
    const v = computeWeights({
      rules: defaultRulebook(),
      tournaments: [{ tournamentType: 'text', standings: (t.ranking ?? []).map((id) => ({ hotkey: byId.get(id)!.hotkey, completedValidRun: runs.some((r) => r.entrantId === id) })) }],
      hotkeyToUid: new Map(entrants.map((e) => [e.hotkey, e.uid!])),
      burnUid: 0,
    });
    return convertWeightsAndUidsForEmit(v.uids, v.weights);
  }

  function copyBundles(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-bundles-'));
    for (const f of fs.readdirSync(bundleDir)) fs.copyFileSync(path.join(bundleDir, f), path.join(dir, f));
    return dir;
  }

  function edit(dir: string, day: string, change: (env: BundleEnvelope) => void): void {
    const file = path.join(dir, `${day}.json`);
    const env = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleEnvelope;
    change(env);
    fs.writeFileSync(file, JSON.stringify(env));
  }

  async function audit(dir: string): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const code = await runAuditCommand({ source: dir, days: 7, out: (l) => lines.push(l) });
    return { code, text: lines.join('\n') };
  }

  it('reproduces every weight vector of the last 7 days exactly', async () => {
    const { code, text } = await audit(bundleDir);
    expect(text).toContain('bundles: 7');
    expect(text.match(/reproduced/g)).toHaveLength(7);
    expect(text).toContain('audit: OK');
    expect(code).toBe(0);
  });

  it('fails and says where when one per-example loss is altered', async () => {
    const dir = copyBundles();
    const day = addDays(START, 3);
    edit(dir, day, (env) => {
      const body = JSON.parse(env.body) as { evaluations: Array<{ losses: string | null }> };
      const ev = body.evaluations.find((e) => e.losses !== null)!;
      const bytes = Buffer.from(ev.losses!, 'base64');
      bytes.writeDoubleLE(0.001, 0);
      ev.losses = bytes.toString('base64');
      env.body = JSON.stringify(body);
    });
    const { code, text } = await audit(dir);
    expect(code).toBe(1);
    expect(text).toMatch(new RegExp(`MISMATCH at bundle ${day} \\(sequence 3\\): body sha256`));
    expect(text).toMatch(new RegExp(`MISMATCH at bundle ${day} evaluation .*per-example losses hash`));
  });

  it('fails and says where when one signature is altered', async () => {
    const dir = copyBundles();
    const day = addDays(START, 5);
    edit(dir, day, (env) => {
      env.signature = `0x${'00'.repeat(64)}`;
    });
    const { code, text } = await audit(dir);
    expect(code).toBe(1);
    expect(text).toContain(`MISMATCH at bundle ${day} (sequence 5): signature does not verify`);
  });

  it('fails and says where when one bundle link is broken (even when re-signed)', async () => {
    const dir = copyBundles();
    const day = addDays(START, 4);
    edit(dir, day, (env) => {
      const body = JSON.parse(env.body) as { previousSha256: string };
      body.previousSha256 = 'f'.repeat(64);
      const { canonicalJson } = jest.requireActual<typeof import('../../src/audit/canonical-json')>('../../src/audit/canonical-json');
      env.body = canonicalJson(body);
      env.sha256 = sha256Hex(env.body);
      env.signature = new KeyringBundleSigner(validator).sign(env.sha256);
    });
    const { code, text } = await audit(dir);
    expect(code).toBe(1);
    expect(text).toContain(`MISMATCH at bundle ${day} (sequence 4): previousSha256`);
    expect(text).toContain('broken link');
  });
});
