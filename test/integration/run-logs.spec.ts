import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ManualClock } from '../../src/common/clock';
import { runLogsCommand } from '../../src/runs/logs-command';
import { TrainingExecutor, TrainingHooks, TrainingJob, TrainingResult } from '../../src/sandbox/training-executor';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';
import { FakeTaskDataService, InMemoryTrainingExecutor } from '../fakes/in-memory-training';

const ADMIN_TOKEN = 'admin-token-5f1e0c2d9a7b';
const GIT_TOKEN = 'ghp_gittoken0123456789abcdef';
const GITHUB_TOKEN = 'ghp_publishtoken9876543210';
const MNEMONIC = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

/** The instant sandbox, leaving a log that (against every rule) prints the deployment's secrets. */
class LoggingExecutor extends TrainingExecutor {
  constructor(
    private readonly inner: InMemoryTrainingExecutor,
    private readonly dir: string,
    private readonly datasetsDir: string,
  ) {
    super();
  }
  async execute(job: TrainingJob, hooks: TrainingHooks): Promise<TrainingResult> {
    return this.withLog(job, await this.inner.execute(job, hooks));
  }
  locate(job: TrainingJob) {
    return this.inner.locate(job);
  }
  async adopt(job: TrainingJob, kind: string, ref: string): Promise<TrainingResult> {
    return this.withLog(job, await this.inner.adopt(job, kind, ref));
  }
  private withLog(job: TrainingJob, result: TrainingResult): TrainingResult {
    const logPath = path.join(this.dir, `${job.runId}.log`);
    fs.writeFileSync(logPath, `run ${job.runId}\nepoch 1 loss 2.5\ntoken ${ADMIN_TOKEN} git ${GIT_TOKEN} gh ${GITHUB_TOKEN}\nread ${this.datasetsDir}/secret-split/test.bin\nseed: ${MNEMONIC}\ndone\n`);
    return { ...result, logPath };
  }
}

describe("miners' logs (GET /api/runs/:id/log)", () => {
  let db: TestDatabase;
  let dir: string;
  let worker: WorkerHandle;
  let api: WorkerHandle;
  let base: string;
  let alice: KeyringPair;
  let bob: KeyringPair;
  const clock = new ManualClock(new Date());
  let aliceRun: string;
  let mnemonicFile: string;
  let datasetsDir: string;

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
    alice = keyring.addFromUri('//Alice');
    bob = keyring.addFromUri('//Bob');
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-logs-'));
    mnemonicFile = path.join(dir, 'validator-mnemonic');
    fs.writeFileSync(mnemonicFile, `${MNEMONIC}\n`);
    fs.mkdirSync(path.join(dir, 'logs'));
    datasetsDir = path.join(dir, 'private-datasets');
    fs.mkdirSync(datasetsDir);
    const secrets = { CRUCIBLE_ADMIN_TOKEN: ADMIN_TOKEN, CRUCIBLE_GIT_TOKEN: GIT_TOKEN, CRUCIBLE_GITHUB_TOKEN: GITHUB_TOKEN, CRUCIBLE_DATASETS_DIR: datasetsDir, CRUCIBLE_MNEMONIC_FILE: mnemonicFile };
    worker = await startWorker({
      db: db.config,
      dataDir: dir,
      executor: new LoggingExecutor(new InMemoryTrainingExecutor(() => ({ loss: 2.5 })), path.join(dir, 'logs'), datasetsDir),
      taskData: new FakeTaskDataService(path.join(dir, 'eval')),
      env: {
        CRUCIBLE_BASELINE_REPO_URL: 'https://example.org/baseline.git',
        CRUCIBLE_BASELINE_COMMIT: 'b'.repeat(40),
        CRUCIBLE_STATIC_METAGRAPH: `${alice.address}=1,${bob.address}=2`,
      },
    });
    api = await startWorker({ db: db.config, dataDir: dir, role: 'api', clock, env: secrets });
    await api.app.listen(0, '127.0.0.1');
    base = await api.app.getUrl();

    const t = await createClosedTournament(worker.app);
    const [a] = await addEntrants(worker.app, t.id, [
      { repoUrl: 'https://example.org/alice.git', hotkey: alice.address, uid: 1 },
      { repoUrl: 'https://example.org/bob.git', hotkey: bob.address, uid: 2 },
    ]);
    // Ticks until Alice's first run finished; its round is decided only at the tick after.
    let run: { id: string; state: string } | undefined;
    for (let i = 0; i < 10 && !run; i++) {
      await worker.step();
      [run] = await worker.ds.query(
        `SELECT r.id, rd.state FROM training_runs r JOIN tasks t ON t.id = r."taskId" JOIN rounds rd ON rd.id = t."roundId" WHERE r."entrantId" = $1 AND r.state = 'finished'`,
        [a.id],
      );
    }
    expect(run!.state).not.toBe('decided');
    aliceRun = run!.id;
  });

  afterAll(async () => {
    await api?.app.close();
    await worker?.app.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const challenge = async (runId: string): Promise<string> => {
    const res = await fetch(`${base}/api/runs/${runId}/log/challenge`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { challenge: string; expiresAt: string };
    expect(Date.parse(body.expiresAt) - clock.now().getTime()).toBe(120_000);
    return body.challenge;
  };
  const signed = (pair: KeyringPair, text: string) => ({
    'X-Crucible-Hotkey': pair.address,
    'X-Crucible-Challenge': text,
    'X-Crucible-Signature': u8aToHex(pair.sign(text)),
  });
  const readLog = (runId: string, headers: Record<string, string> = {}) => fetch(`${base}/api/runs/${runId}/log`, { headers });

  it('before the round is decided: refuses an unsigned request, another hotkey, an expired or reused challenge', async () => {
    const unsigned = await readLog(aliceRun);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ statusCode: 401, code: 'LOG_NOT_PUBLIC', details: {} });

    const byBob = await readLog(aliceRun, signed(bob, await challenge(aliceRun)));
    expect(byBob.status).toBe(403);
    expect(await byBob.json()).toMatchObject({ statusCode: 403, code: 'LOG_NOT_OWNER', details: { hotkey: bob.address } });

    const stale = await challenge(aliceRun);
    clock.advance(120_001);
    const expired = await readLog(aliceRun, signed(alice, stale));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ statusCode: 401, code: 'LOG_CHALLENGE_EXPIRED' });

    // Alice's signature over a challenge for the right run, but signed text that is not the challenge.
    const text = await challenge(aliceRun);
    const forged = { ...signed(alice, text), 'X-Crucible-Signature': u8aToHex(alice.sign(`${text}x`)) };
    expect((await readLog(aliceRun, forged)).status).toBe(401);
    // That attempt used the challenge up.
    const reused = await readLog(aliceRun, signed(alice, text));
    expect(reused.status).toBe(401);
    expect(await reused.json()).toMatchObject({ code: 'LOG_CHALLENGE_UNKNOWN' });
  });

  it("lets the entry's own hotkey read it, with every configured secret redacted", async () => {
    const res = await readLog(aliceRun, signed(alice, await challenge(aliceRun)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await res.text();
    expect(text).toBe(
      `run ${aliceRun}\nepoch 1 loss 2.5\ntoken [redacted] git [redacted] gh [redacted]\nread [redacted]/secret-split/test.bin\nseed: [redacted]\ndone\n`,
    );
  });

  it('the CLI signs with the wallet for the owner, and is refused without one', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await runLogsCommand({ apiUrl: base, runId: aliceRun, mnemonicFile: writeSecretUri(dir, '//Alice'), out: (t) => out.push(t), err: (l) => err.push(l) })).toBe(0);
    expect(out.join('')).toContain('epoch 1 loss 2.5');
    expect(await runLogsCommand({ apiUrl: base, runId: aliceRun, out: (t) => out.push(t), err: (l) => err.push(l) })).toBe(1);
    expect(err.join('\n')).toContain('LOG_NOT_PUBLIC');
  });

  it('after the round is decided the log is public', async () => {
    const roundState = async (): Promise<string> =>
      (await worker.ds.query(`SELECT rd.state FROM training_runs r JOIN tasks t ON t.id = r."taskId" JOIN rounds rd ON rd.id = t."roundId" WHERE r.id = $1`, [aliceRun]))[0].state;
    for (let i = 0; i < 10 && (await roundState()) !== 'decided'; i++) await worker.step();
    expect(await roundState()).toBe('decided');
    const res = await readLog(aliceRun);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('token [redacted] git [redacted]');
  });
});

function writeSecretUri(dir: string, uri: string): string {
  const file = path.join(dir, `uri-${uri.replace(/\W/g, '')}`);
  fs.writeFileSync(file, uri);
  return file;
}
