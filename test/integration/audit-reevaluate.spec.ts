import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ArtifactsController } from '../../src/audit/artifacts.controller';
import { runAuditCommand } from '../../src/audit/audit-command';
import { evaluateRunCommand } from '../../src/audit/evaluate-run.command';
import { tableLanguageModel } from '../../src/evaluation/onnx/onnx-builder';
import { EvaluationEntity } from '../../src/evaluation/evaluation.entity';
import { TrainingRunEntity } from '../../src/runs/training-run.entity';
import type { TrainingJob } from '../../src/sandbox/training-executor';
import { ModelFileExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo } from '../support/git-fixtures';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

const VOCAB = 256;

/** A causal-lm model that favours one byte by `boost` nats: each miner (and the baseline) its own file. */
function model(boost: number): Uint8Array {
  const table = new Float32Array(VOCAB * VOCAB);
  for (let a = 0; a < VOCAB; a++) table[a * VOCAB + 32] = boost;
  return tableLanguageModel(table, VOCAB);
}

/** The baseline favours ' ' by 0.5 nats, miner-N by 2 + N. */
const minerModel = (job: TrainingJob): Uint8Array => model(job.repoUrl.includes('baseline') ? 0.5 : 2 + Number(/miner-(\d)/.exec(job.repoUrl)?.[1]));

/** Archived models: served once revealed, re-evaluated by `crucible audit --reevaluate` and `crucible evaluate --run`. */
describe('archived models and re-evaluation', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  let bundleDir: string;
  let tournamentId: string;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase('postgres');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-reeval-'));
    // Real repositories (the scorer may look into them); the "training" below ignores their content.
    const repo = (name: string) => makeRepo(path.join(dir, 'repos', name), { 'crucible.json': '{"entrypoint": "train.sh", "taskTypes": ["causal-lm"]}\n', 'train.sh': 'exit 0\n' });
    const baseline = repo('baseline');
    const miners = [repo('miner-0'), repo('miner-1')];
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor: new ModelFileExecutor(path.join(dir, 'runs'), minerModel),
      // The worker archives the models; the API's ArtifactsController serves them.
      role: 'all',
      env: { CRUCIBLE_BASELINE_REPO_URL: baseline.url, CRUCIBLE_BASELINE_COMMIT: baseline.sha, CRUCIBLE_OWNER_UID: '0', CRUCIBLE_EXECUTION_PROVIDER: 'cpu' },
    });
    const t = await createClosedTournament(w.app, { bossTasks: 1, bossGate: 'threshold' });
    tournamentId = t.id;
    await addEntrants(w.app, t.id, miners.map((m) => ({ repoUrl: m.url, commitSha: m.sha })));
    bundleDir = path.join(w.config.dataDir, 'audit');
  });

  afterAll(async () => {
    await w?.app.close();
    await db?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves an archived model only after its tournament revealed the seeds (404 with a reason before)', async () => {
    await w.runUntil(tournamentId, 'boss_round');
    const scored = await w.ds.getRepository(EvaluationEntity).createQueryBuilder('e').where('e.runId IS NOT NULL').getOneOrFail();
    await expect(w.app.get(ArtifactsController).get(scored.modelSha256)).rejects.toMatchObject({ code: 'ARTIFACT_NOT_REVEALED', message: expect.stringMatching(/once its tournament has revealed/) });
    await expect(w.app.get(ArtifactsController).get('0'.repeat(64))).rejects.toMatchObject({ code: 'ARTIFACT_UNKNOWN' });

    await w.runUntil(tournamentId, 'completed');
    const stream = (await w.app.get(ArtifactsController).get(scored.modelSha256)).getStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(scored.modelSha256);
  });

  it('crucible audit --reevaluate 3 reproduces the recorded metrics bit for bit', async () => {
    const lines: string[] = [];
    const code = await runAuditCommand({ source: bundleDir, days: 7, reevaluate: 3, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toMatch(/PASS {2}reevaluation +3 checked/);
    expect(text).toContain('3 re-evaluations');
    expect(text).toContain('audit: OK');
    expect(code).toBe(0);
  });

  it('crucible audit --source <API URL> reads the same bundles and archived models over HTTP', async () => {
    await w.app.listen(0, '127.0.0.1');
    const url = (await w.app.getUrl()).replace('[::1]', '127.0.0.1');
    const lines: string[] = [];
    const code = await runAuditCommand({ source: url, days: 7, reevaluate: 2, out: (l) => lines.push(l) });
    expect(lines.join('\n')).toMatch(/PASS {2}reevaluation +2 checked/);
    expect(code).toBe(0);
  });

  it('crucible evaluate --run fetches model, seed and dataset itself', async () => {
    const run = await w.ds.getRepository(TrainingRunEntity).findOneByOrFail({ tournamentId, outcome: 'succeeded', attempt: 1 });
    const lines: string[] = [];
    expect(await evaluateRunCommand({ run: run.id, source: bundleDir, out: (l) => lines.push(l) })).toBe(0);
    expect(lines).toContain('matches_recorded: true');
  });

  it('one replaced archived model file fails the re-evaluation, naming the run', async () => {
    const evaluations = await w.ds.getRepository(EvaluationEntity).createQueryBuilder('e').where('e.runId IS NOT NULL').getMany();
    const victim = evaluations[0];
    fs.writeFileSync(path.join(w.config.dataDir, 'artifacts', `${victim.modelSha256}.onnx`), model(9));
    const lines: string[] = [];
    const code = await runAuditCommand({ source: bundleDir, days: 7, reevaluate: evaluations.length, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(code).toBe(1);
    expect(text).toMatch(/FAIL {2}reevaluation/);
    const runs = evaluations.filter((e) => e.modelSha256 === victim.modelSha256).map((e) => e.runId);
    expect(text).toMatch(new RegExp(`first difference: run (${runs.join('|')}) .*modelSha256: recorded ${victim.modelSha256}, the archived file hashes to`));
  });
});
