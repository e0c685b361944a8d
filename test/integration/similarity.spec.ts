import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { TournamentFactory } from '../../src/tournaments/tournament.factory';
import { makeMinerRepo, makeRepo, MINERS_DIR } from '../support/git-fixtures';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/app';
import { addEntrants } from '../support/tournaments';
import { Transactor } from '../../src/common/transactor';

/** Issue 10: the organiser's code similarity report (admin route), on real repositories. */
describe('code similarity report (PostgreSQL)', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    t = await startTestApp('postgres');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-similarity-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('lists a renamed copy of the example miner with its shared passages, not the different miners; admin only', async () => {
    const original = makeMinerRepo('lm-small', root);
    const source = fs.readFileSync(path.join(MINERS_DIR, 'lm-small', 'train.py'), 'utf8');
    const renamed = source.replace(/\bmodel\b/g, 'net').replace(/\bsteps\b/g, 'iterations').replace(/\bwidth\b/g, 'hidden');
    const copy = makeRepo(path.join(root, 'repos', 'copy'), { 'crucible.json': '{ "entrypoint": ["python3", "run.py"], "taskTypes": ["causal-lm"] }', 'run.py': renamed });
    const cheat = makeMinerRepo('look-ahead', root);
    const tournament = await t.app.get(Transactor).run(() => t.app.get(TournamentFactory).createNextCycle({ type: 'text', opensAt: new Date() }));
    const [a, b] = await addEntrants(t.app, tournament.id, [
      { repoUrl: original.url, commitSha: original.sha },
      { repoUrl: copy.url, commitSha: copy.sha },
      { repoUrl: cheat.url, commitSha: cheat.sha },
    ]);
    const http = request(t.app.getHttpServer());
    expect((await http.get(`/api/tournaments/${tournament.id}/similarity`)).status).toBe(401);
    expect((await http.get(`/api/tournaments/${tournament.id}/similarity?threshold=2`).set('authorization', `Bearer ${ADMIN_TOKEN}`)).status).toBe(400);

    const res = await http.get(`/api/tournaments/${tournament.id}/similarity`).set('authorization', `Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tournamentId: tournament.id, threshold: 0.5, entrants: 3 });
    expect(res.body.pairs).toHaveLength(1);
    const [pair] = res.body.pairs;
    expect(new Set([pair.a.entrantId, pair.b.entrantId])).toEqual(new Set([a.id, b.id]));
    expect(pair.similarity).toBeGreaterThan(0.9);
    expect(pair.shared.length).toBeGreaterThan(0);
    for (const s of pair.shared) expect([s.fileA, s.fileB].sort()).toEqual(['run.py', 'train.py']);
  });
});
