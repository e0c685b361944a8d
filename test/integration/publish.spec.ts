import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import nock from 'nock';
import { GithubPublisher, RESULTS_BRANCH } from '../../src/publishing/github-publisher';
import { GitHttpServer, startGitHttpServer } from '../support/git-http-server';

const TOKEN = 'ghs_test_token_123';

describe('publishing the winner over git smart HTTP (GitHub REST faked)', () => {
  let git: GitHttpServer;
  let source: string;
  let pinned: string;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    git = await startGitHttpServer(TOKEN);
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-src-'));
    const run = (...args: string[]): string => execFileSync('git', args, { cwd: source, env: { ...process.env, GIT_AUTHOR_NAME: 'm', GIT_AUTHOR_EMAIL: 'm@x', GIT_COMMITTER_NAME: 'm', GIT_COMMITTER_EMAIL: 'm@x' } }).toString().trim();
    run('init', '--quiet');
    fs.writeFileSync(path.join(source, 'train.py'), 'print(1)\n');
    run('add', '.');
    run('commit', '--quiet', '-m', 'first');
    fs.writeFileSync(path.join(source, 'crucible.json'), '{"entrypoint":["python3","train.py"]}\n');
    run('add', '.');
    run('commit', '--quiet', '-m', 'second');
    pinned = run('rev-parse', 'HEAD');
    fs.writeFileSync(path.join(source, 'later.txt'), 'not published\n');
    run('add', '.');
    run('commit', '--quiet', '-m', 'after the pin');
  });

  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await git?.close();
    fs.rmSync(source, { recursive: true, force: true });
  });

  it('creates the repo, pushes the pinned commit with history, RESULTS.md on top, tags it; again changes nothing', async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const api = nock('https://api.github.test', { reqheaders: { authorization: `Bearer ${TOKEN}` } });
    api.get('/repos/crucible-org/text-cycle-3-winner').reply(404, { message: 'Not Found' });
    api.post('/orgs/crucible-org/repos', (body: { name: string }) => body.name === 'text-cycle-3-winner').reply(201, () => {
      git.createRepo('crucible-org', 'text-cycle-3-winner');
      return { full_name: 'crucible-org/text-cycle-3-winner' };
    });
    api.get('/repos/crucible-org/text-cycle-3-winner').reply(200, { full_name: 'crucible-org/text-cycle-3-winner' });

    const publisher = new GithubPublisher({ org: 'crucible-org', token: TOKEN, gitBaseUrl: git.baseUrl, apiUrl: 'https://api.github.test', author: 'Crucible <crucible@example.org>' });
    const req = {
      sourceRepoUrl: source,
      commitSha: pinned,
      targetRepo: 'text-cycle-3-winner',
      tag: 'text-cycle-3',
      resultsMarkdown: '# Results\n\nrulebook 2026.11-1\n',
      at: new Date('2026-03-01T00:00:00Z'),
    };
    const first = await publisher.publish(req);
    expect(first).toMatchObject({ changed: true, createdRepo: true, commitSha: pinned, tag: 'text-cycle-3' });

    const bare = path.join(git.root, 'crucible-org', 'text-cycle-3-winner.git');
    const g = (...args: string[]): string => execFileSync('git', ['--git-dir', bare, ...args]).toString().trim();
    expect(g('rev-parse', 'refs/heads/main')).toBe(pinned);
    expect(g('rev-list', '--count', 'refs/heads/main')).toBe('2'); // history kept, nothing after the pin
    expect(g('rev-parse', `refs/heads/${RESULTS_BRANCH}^`)).toBe(pinned);
    expect(g('show', `refs/heads/${RESULTS_BRANCH}:RESULTS.md`)).toContain('rulebook 2026.11-1');
    expect(g('rev-parse', 'refs/tags/text-cycle-3^{commit}')).toBe(first.resultsCommitSha);
    const refsBefore = g('for-each-ref');

    const second = await publisher.publish(req);
    expect(second).toMatchObject({ changed: false, createdRepo: false, resultsCommitSha: first.resultsCommitSha });
    expect(g('for-each-ref')).toBe(refsBefore);
    expect(api.isDone()).toBe(true);
  });

  it('refuses a wrong token at the git transport', async () => {
    nock('https://api.github.test').get('/repos/crucible-org/other').reply(200, {});
    const publisher = new GithubPublisher({ org: 'crucible-org', token: 'wrong', gitBaseUrl: git.baseUrl, apiUrl: 'https://api.github.test', author: 'Crucible <c@x>' });
    git.createRepo('crucible-org', 'other');
    await expect(
      publisher.publish({ sourceRepoUrl: source, commitSha: pinned, targetRepo: 'other', tag: 't', resultsMarkdown: 'x', at: new Date(0) }),
    ).rejects.toThrow(/git ls-remote failed/);
  });
});
