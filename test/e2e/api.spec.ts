import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import { DataSource } from 'typeorm';
import { EntrantEntity } from '../../src/submissions/entrant.entity';
import { buildSubmissionMessage } from '../../src/submissions/signature';
import { ADMIN_TOKEN, startTestApp, TestApp } from '../support/app';
import { ENGINES } from '../support/databases';
import { makeRepo } from '../support/git-fixtures';

// The default text tournament's task types (a manifest must cover them all).
const MANIFEST = JSON.stringify({ entrypoint: ['python3', 'train.py'], taskTypes: ['instruct', 'preference', 'reward'] });

describe.each(ENGINES)('HTTP API on %s', (engine) => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let tournamentId: string;
  let tmp: string;
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });

  beforeAll(async () => {
    await cryptoWaitReady();
    // The offline metagraph: the dev keys the suite signs with are registered, //Mallory's is not.
    const registered = ['//Alice', '//Bob', '//Charlie', '//Dave', '//Eve', '//Ferdie'].map((s, i) => `${keyring.addFromUri(s).address}=${i + 1}`);
    t = await startTestApp(engine, { CRUCIBLE_STATIC_METAGRAPH: registered.join(',') });
    http = request(t.app.getHttpServer());
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-api-'));
    const res = await http.post('/api/tournaments').set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ type: 'text' });
    expect(res.status).toBe(201);
    tournamentId = res.body.id;
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const entrantCount = () => t.app.get(DataSource).getRepository(EntrantEntity).count();

  function signed(seed: string, repo: { url: string; sha: string }, over: Record<string, unknown> = {}) {
    const pair = keyring.addFromUri(seed);
    const fields = { tournamentId, hotkey: pair.address, repoUrl: repo.url, commitSha: repo.sha, signedAt: Math.floor(Date.now() / 1000), ...over };
    return { ...fields, signature: u8aToHex(pair.sign(buildSubmissionMessage(fields as Parameters<typeof buildSubmissionMessage>[0]))) };
  }

  it('serves health, Swagger UI and the OpenAPI document', async () => {
    expect((await http.get('/health')).body).toMatchObject({ status: 'ok', database: { reachable: true, pendingMigrations: [] } });
    expect((await http.get('/docs')).status).toBe(200);
    const doc = (await http.get('/docs-json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/tournaments', '/api/submissions', '/api/tournaments/{id}/leaderboard', '/api/schedule']));
  });

  it('serves the planned cycles: the one on record with its exact dates (auto-scheduling is off in this suite)', async () => {
    const tournament = (await http.get(`/api/tournaments/${tournamentId}`)).body;
    const res = await http.get('/api/schedule');
    expect(res.status).toBe(200);
    // Defaults: text and image tournaments; 1 day of registration, a 7-day budget after it, 72 h gap, rounds decided within 36 h.
    expect(res.body.map((x: { type: string }) => x.type)).toEqual(['text', 'image']);
    expect(res.body.slice(0, 1)).toEqual([
      {
        type: 'text',
        autoSchedule: false,
        schedule: { registrationMinutes: 1440, maxDurationHours: 168, gapHours: 72, roundDeadlineMinutes: 2160 },
        cycles: [{ cycle: 1, tournamentId, state: 'registration', opensAt: tournament.registrationOpensAt, opensBy: tournament.registrationOpensAt, endsBy: tournament.endsBy }],
      },
    ]);
  });

  it('holds no key: no signer until a worker publishes one; the bundle list, and 404 with a reason for an unknown artifact', async () => {
    const signer = await http.get('/api/audit/signer');
    expect(signer.status).toBe(404);
    expect(signer.body).toMatchObject({ code: 'AUDIT_SIGNER_UNPUBLISHED', message: expect.stringContaining('no worker has published') });
    expect(fs.existsSync(path.join(t.config.dataDir, 'keys', 'audit-key.json'))).toBe(false);
    expect((await http.get('/api/audit/bundles?days=7')).body).toEqual({ bundles: expect.any(Array) });
    expect((await http.get('/api/audit/bundles/999999')).status).toBe(404);
    const artifact = await http.get(`/api/artifacts/${'ab'.repeat(32)}`);
    expect(artifact.status).toBe(404);
    expect(artifact.body).toMatchObject({ code: 'ARTIFACT_UNKNOWN', message: expect.stringContaining('no scored model') });
    expect((await http.get('/api/artifacts/not-a-sha')).status).toBe(400);
  });

  it('refuses admin writes without the bearer token', async () => {
    expect((await http.post('/api/tournaments').send({ type: 'text' })).status).toBe(401);
    expect((await http.post('/api/tournaments').set('authorization', 'Bearer wrong').send({ type: 'text' })).status).toBe(401);
    expect((await http.post(`/api/tournaments/${tournamentId}/cancel`).send({ reason: 'x' })).status).toBe(401);
  });

  it.each([
    ['a 7-hex commit', { commitSha: 'abcdef1' }, 'commitSha'],
    ['a bad URL', { repoUrl: 'ftp://example.org/repo' }, 'repoUrl'],
    ['a URL with credentials', { repoUrl: 'https://user:pw@example.org/repo.git' }, 'repoUrl'],
    ['a bad hotkey', { hotkey: '5NotAnAddress' }, 'hotkey'],
    ['a malformed signature', { signature: '0x1234' }, 'signature'],
    ['an unknown field', { extra: 1 }, 'extra'],
  ])('answers 400 naming the field for %s, writing nothing', async (_label, patch, field) => {
    const body = { ...signed('//Alice', { url: 'https://example.org/r.git', sha: 'a'.repeat(40) }), ...patch };
    const res = await http.post('/api/submissions').send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.details.fields).toContain(field);
    expect(res.body.message).toMatch(new RegExp(field));
    expect(await entrantCount()).toBe(0);
  });

  it('answers 400 for malformed JSON and 413 for a 1 MB body', async () => {
    const bad = await http.post('/api/submissions').set('content-type', 'application/json').send('{"hotkey": ');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/JSON/i);
    const big = await http.post('/api/submissions').set('content-type', 'application/json').send(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(await entrantCount()).toBe(0);
  });

  it('accepts a signed submission once and refuses replays, forgeries and copies', async () => {
    const repo = makeRepo(path.join(tmp, 'miner-a'), { 'crucible.json': MANIFEST, 'train.py': 'print(1)\n' });
    const body = signed('//Alice', repo);
    const ok = await http.post('/api/submissions').send(body);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'accepted', commitSha: repo.sha, treeHash: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(ok.body.signature).toBeUndefined();

    expect((await http.post('/api/submissions').send(body)).status).toBe(409);

    const forged = { ...signed('//Bob', repo), hotkey: keyring.addFromUri('//Charlie').address };
    const forgedRes = await http.post('/api/submissions').send(forged);
    expect(forgedRes.status).toBe(401);
    expect(forgedRes.body.code).toBe('SUBMISSION_BAD_SIGNATURE');

    const copy = makeRepo(path.join(tmp, 'miner-copy'), { 'crucible.json': MANIFEST, 'train.py': 'print(1)\n' });
    const copyRes = await http.post('/api/submissions').send(signed('//Dave', copy));
    expect(copyRes.status).toBe(409);
    expect(copyRes.body.code).toBe('SUBMISSION_DUPLICATE_TREE');

    const stranger = await http.post('/api/submissions').send(signed('//Mallory', repo));
    expect(stranger.status).toBe(403);
    expect(stranger.body.code).toBe('SUBMISSION_HOTKEY_NOT_REGISTERED');

    const stale = await http.post('/api/submissions').send(signed('//Eve', repo, { signedAt: Math.floor(Date.now() / 1000) - 3600 }));
    expect(stale.status).toBe(400);

    const missing = await http.post('/api/submissions').send(signed('//Ferdie', { url: repo.url, sha: 'b'.repeat(40) }));
    expect(missing.status).toBe(422);
    expect(missing.body.code).toBe('REPO_COMMIT_NOT_FOUND');

    const entrants = (await http.get(`/api/tournaments/${tournamentId}/entrants`)).body;
    expect(entrants.items.map((e: { status: string }) => e.status).sort()).toEqual(['accepted', 'rejected']);
  });

  it('pages lists and serves the leaderboard', async () => {
    const list = await http.get('/api/tournaments?limit=1&offset=0');
    expect(list.body).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect((await http.get('/api/tournaments?limit=0')).status).toBe(400);
    const board = await http.get(`/api/tournaments/${tournamentId}/leaderboard`);
    expect(board.status).toBe(200);
    expect(board.body.entries).toHaveLength(1);
    expect((await http.get('/api/tournaments/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await http.get('/api/tournaments/not-a-uuid')).status).toBe(400);
  });

  it('cancels with the admin token and records it', async () => {
    const res = await http.post(`/api/tournaments/${tournamentId}/cancel`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ reason: 'test' });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe('cancelled');
    const again = await http.post(`/api/tournaments/${tournamentId}/cancel`).set('authorization', `Bearer ${ADMIN_TOKEN}`).send({ reason: 'test' });
    expect(again.status).toBe(409);
  });
});
