import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { DatasetRegistry } from '../../src/evaluation/datasets/dataset-registry';
import type { TokenDataset } from '../../src/evaluation/datasets/dataset';
import { RoundEntity } from '../../src/tournaments/round.entity';
import { TournamentEntity } from '../../src/tournaments/tournament.entity';
import { TournamentEvidenceService } from '../../src/tournaments/tournament-evidence.service';
import { ModelFileExecutor } from '../fakes/in-memory-training';
import { createTestDatabase, TestDatabase } from '../support/databases';
import { makeRepo } from '../support/git-fixtures';
import { bigramModel, bigramTable } from '../support/onnx-models';
import { addEntrants, createClosedTournament } from '../support/tournaments';
import { startWorker, WorkerHandle } from '../support/worker';

/**
 * Issue 10: copies inside a round lose their result, with the finding recorded: the same ONNX file as
 * an earlier entrant's, and the same model re-exported under another file hash. Real ONNX evaluation.
 */
describe('copies in a round (PostgreSQL, real ONNX evaluation)', () => {
  let db: TestDatabase;
  let dir: string;
  let w: WorkerHandle;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-copies-'));
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await w?.app.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('voids an identical model file and a re-exported model; the original wins', async () => {
    const corpus = ((await new DatasetRegistry().load('devils-dictionary')) as TokenDataset).tokens;
    const strong = bigramModel(bigramTable(corpus));
    // The same graph and weights under another producer name: another file, the same function.
    const reexported = onnx.ModelProto.decode(strong);
    reexported.producerName = 'my-own-exporter';
    const weak = bigramModel(bigramTable(corpus.subarray(0, 4000)));
    const repo = (name: string) => makeRepo(path.join(dir, 'repos', name), { 'crucible.json': '{}', 'README.md': `${name}\n` });
    const [original, other, reexport, fileCopy, baseline] = ['original', 'other', 'reexport', 'file-copy', 'baseline'].map(repo);
    const models = new Map<string, Uint8Array>([
      [original.url, strong],
      [other.url, weak],
      [reexport.url, onnx.ModelProto.encode(reexported).finish()],
      [fileCopy.url, strong],
      [baseline.url, weak],
    ]);
    w = await startWorker({
      db: db.config,
      dataDir: path.join(dir, 'data'),
      executor: new ModelFileExecutor(path.join(dir, 'artifacts'), (job) => models.get(job.repoUrl) as Uint8Array),
      env: { CRUCIBLE_BASELINE_REPO_URL: baseline.url, CRUCIBLE_BASELINE_COMMIT: baseline.sha, CRUCIBLE_EXECUTION_PROVIDER: 'cpu', CRUCIBLE_EVAL_THREADS: '1' },
    });
    const t = await createClosedTournament(w.app, { bossTasks: 1 });
    // Seeds in submission order: original, other, reexport, file-copy. Knockout pairs (s0, s3) and (s1, s2).
    const [eOriginal, , eReexport, eFileCopy] = await addEntrants(w.app, t.id, [
      { repoUrl: original.url, commitSha: original.sha },
      { repoUrl: other.url, commitSha: other.sha },
      { repoUrl: reexport.url, commitSha: reexport.sha },
      { repoUrl: fileCopy.url, commitSha: fileCopy.sha },
    ]);
    await w.runUntil(t.id, 'completed', 200);

    const rounds = await w.ds.getRepository(RoundEntity).find({ where: { tournamentId: t.id }, order: { index: 'ASC' } });
    expect(rounds.map((r) => r.kind)).toEqual(['knockout', 'knockout', 'boss']);
    // Round 0: the file copy met the original; the same sha256 in the round is a copy.
    expect(rounds[0].decision?.copies).toEqual([expect.objectContaining({ entrantId: eFileCopy.id, copyOf: eOriginal.id, kind: 'identical-model' })]);
    // Round 1: the re-export (which beat the weak model on its own task) meets the original on one task: identical behaviour.
    expect(rounds[1].decision?.copies).toEqual([expect.objectContaining({ entrantId: eReexport.id, copyOf: eOriginal.id, kind: 'identical-behaviour' })]);
    const behaviour = (rounds[1].decision?.copies as Array<{ correlation: number; meanDifference: number }>)[0];
    expect(behaviour.correlation).toBeGreaterThanOrEqual(0.9999);
    expect(behaviour.meanDifference).toBeLessThanOrEqual(1e-6);
    expect(rounds[0].advancing).toContain(eOriginal.id);
    expect(rounds[1].advancing).toEqual([eOriginal.id]);
    const final = await w.ds.getRepository(TournamentEntity).findOneByOrFail({ id: t.id });
    expect(final.winnerEntrantId).toBe(eOriginal.id);
    // The pure derivation (what the auditor runs on the sealed evidence) finds the same copies.
    const derivation = await w.app.get(TournamentEvidenceService).derive(final);
    expect(JSON.parse(JSON.stringify(derivation.rounds.map((r) => r.copies)))).toEqual(rounds.map((r) => r.decision?.copies));
    expect(derivation.winnerEntrantId).toBe(eOriginal.id);
  }, 300_000);
});
