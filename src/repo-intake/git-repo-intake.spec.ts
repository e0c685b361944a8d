import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { git, makeMinerRepo, makeRawTreeRepo, makeRepo } from '../../test/support/git-fixtures';
import { GitHttpServer, startGitHttpServer } from '../../test/support/git-http-server';
import { GitRepoIntake, UNREACHABLE_MESSAGE } from './git-repo-intake';
import { parseManifest, treeProblems, type TreeEntry } from './repo-intake';
import { RepoIntakeError, RepoIntakeErrorCode as Code } from './repo-intake.errors';

const MANIFEST = JSON.stringify({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] });

describe('GitRepoIntake (real git, file:// remotes)', () => {
  let root: string;
  let intake: GitRepoIntake;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-intake-'));
    intake = new GitRepoIntake({ cacheDir: path.join(root, 'cache'), allowInsecureSchemes: true, maxRepoBytes: 64 * 1024, timeoutMs: 30_000 });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const rejection = async (p: Promise<unknown>): Promise<RepoIntakeError> => {
    const error = await p.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RepoIntakeError);
    return error as RepoIntakeError;
  };

  it('inspects a commit: tree hash, manifest, size; checks out its files without .git', async () => {
    const repo = makeMinerRepo('exit-1', root);
    const info = await intake.inspect(repo.url, repo.sha);
    expect(info.treeHash).toBe(git(repo.dir, ['rev-parse', 'HEAD^{tree}']));
    expect(info.manifest).toEqual({ entrypoint: 'train.sh', taskTypes: ['causal-lm'] });
    expect(info.sizeBytes).toBeGreaterThan(0);
    const dest = path.join(root, 'checkout');
    await intake.checkout(repo.url, repo.sha, dest);
    expect(fs.readdirSync(dest).sort()).toEqual(['crucible.json', 'train.sh']);
  });

  it('finds an older commit that is no longer a branch tip, and serves it from the cache after', async () => {
    const repo = makeRepo(path.join(root, 'history'), { 'crucible.json': MANIFEST, 'train.sh': 'exit 0\n' });
    fs.writeFileSync(path.join(repo.dir, 'train.sh'), 'exit 1\n');
    git(repo.dir, ['commit', '-qam', 'second']);
    expect((await intake.inspect(repo.url, repo.sha)).manifest.entrypoint).toBe('train.sh');
    fs.rmSync(repo.dir, { recursive: true, force: true }); // remote gone: the cache answers
    expect((await intake.inspect(repo.url, repo.sha)).treeHash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('rejects a commit that does not exist', async () => {
    const repo = makeRepo(path.join(root, 'missing'), { 'crucible.json': MANIFEST, 'train.sh': '' });
    const error = await rejection(intake.inspect(repo.url, 'a'.repeat(40)));
    expect(error.code).toBe(Code.CommitNotFound);
    expect(error.minerFault).toBe(true);
  });

  it('rejects short SHAs and disallowed URL schemes before touching the network', async () => {
    expect((await rejection(intake.inspect('file:///x', 'abc123'))).code).toBe(Code.InvalidCommit);
    const strict = new GitRepoIntake({ cacheDir: path.join(root, 'c2'), allowInsecureSchemes: false, maxRepoBytes: 1, timeoutMs: 1000 });
    expect((await rejection(strict.inspect('file:///tmp/x', 'a'.repeat(40)))).code).toBe(Code.InvalidUrl);
    expect((await rejection(strict.inspect('https://user:pw@example.com/r.git', 'a'.repeat(40)))).code).toBe(Code.InvalidUrl);
  });

  it('reports an unreachable remote as a fetch failure (not the miner fault)', async () => {
    const error = await rejection(intake.inspect(`file://${root}/does-not-exist`, 'b'.repeat(40)));
    expect(error.code).toBe(Code.FetchFailed);
    expect(error.minerFault).toBe(false);
  });

  it.each([
    ['no manifest', { 'train.sh': '' }, Code.ManifestMissing],
    ['bad JSON', { 'crucible.json': '{', 'train.sh': '' }, Code.ManifestInvalid],
    ['entrypoint missing from tree', { 'crucible.json': JSON.stringify({ entrypoint: 'nope.sh', taskTypes: ['causal-lm'] }) }, Code.ManifestInvalid],
    ['too large', { 'crucible.json': MANIFEST, 'train.sh': '', 'weights.bin': Buffer.alloc(100 * 1024, 1) }, Code.TooLarge],
    ['LFS', { 'crucible.json': MANIFEST, 'train.sh': '', '.gitattributes': '*.bin filter=lfs diff=lfs merge=lfs -text\n' }, Code.LfsPointers],
    ['.gitmodules', { 'crucible.json': MANIFEST, 'train.sh': '', '.gitmodules': '[submodule "x"]\n\tpath = x\n\turl = https://example.com/x.git\n' }, Code.Submodules],
  ])('rejects %s', async (name, files, code) => {
    const repo = makeRepo(path.join(root, `bad-${name.replace(/\W/g, '')}`), files as Record<string, string | Buffer>);
    expect((await rejection(intake.inspect(repo.url, repo.sha))).code).toBe(code);
  });

  it('rejects a gitlink (submodule entry) in the tree', async () => {
    const inner = makeRepo(path.join(root, 'inner'), { 'a.txt': 'a' });
    const repo = makeRepo(path.join(root, 'outer'), { 'crucible.json': MANIFEST, 'train.sh': '' });
    git(repo.dir, ['update-index', '--add', '--cacheinfo', `160000,${inner.sha},vendor/inner`]);
    git(repo.dir, ['commit', '-qm', 'gitlink']);
    const sha = git(repo.dir, ['rev-parse', 'HEAD']);
    expect((await rejection(intake.inspect(repo.url, sha))).code).toBe(Code.Submodules);
  });

  it('serialises concurrent fetches of the same repository', async () => {
    const repo = makeMinerRepo('oom', root);
    const results = await Promise.all([1, 2, 3].map(() => intake.inspect(repo.url, repo.sha)));
    expect(new Set(results.map((r) => r.treeHash)).size).toBe(1);
  });
});

describe('GitRepoIntake checks before it works', () => {
  let root: string;
  let server: GitHttpServer;
  let repoUrl: string;
  let sha: string;
  const intake = (name: string, extra: Partial<ConstructorParameters<typeof GitRepoIntake>[0]> = {}) =>
    new GitRepoIntake({ cacheDir: path.join(root, name), allowInsecureSchemes: true, allowPrivateAddresses: true, maxRepoBytes: 64 * 1024, timeoutMs: 30_000, ...extra });
  const cacheEntries = (name: string) => (fs.existsSync(path.join(root, name)) ? fs.readdirSync(path.join(root, name)).filter((n) => n.endsWith('.git')) : []);
  const rejection = async (p: Promise<unknown>): Promise<RepoIntakeError> => {
    const error = await p.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RepoIntakeError);
    return error as RepoIntakeError;
  };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-intake-checks-'));
    server = await startGitHttpServer(null);
    const bare = server.createRepo('miner', 'train');
    const repo = makeRepo(path.join(root, 'src'), { 'crucible.json': MANIFEST, 'train.sh': 'exit 0\n' });
    git(repo.dir, ['push', '--quiet', bare, 'main']);
    repoUrl = `${server.baseUrl}/miner/train.git`;
    sha = repo.sha;
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('an oversized transfer is cut by the kernel during the fetch and leaves nothing in the cache', async () => {
    // 3 MB of random bytes do not compress: the pack passes 64 KiB + 1 MiB slack long before it ends.
    const big = makeRepo(path.join(root, 'big'), { 'crucible.json': MANIFEST, 'train.sh': '', 'weights.bin': randomBytes(3 * 1024 * 1024) });
    const error = await rejection(intake('cache-big').inspect(big.url, big.sha));
    expect(error.code).toBe(Code.TooLarge);
    expect(error.message).toMatch(/transfer exceeded/);
    expect(error.minerFault).toBe(true);
    expect(cacheEntries('cache-big')).toEqual([]);
  });

  it.each([
    ['a name longer than NAME_MAX', [{ name: 'n'.repeat(256), content: 'x' }], /longer than 255 bytes/],
    ['a symbolic link', [{ name: 'escape', content: '/etc/passwd', mode: '120000' as const }], /symbolic link/],
    ['a newline in a name', [{ name: 'fake\nlog line', content: 'x' }], /control character/],
  ])('refuses %s at intake with the reason, leaving no cache', async (name, extra, reason) => {
    const repo = makeRawTreeRepo(path.join(root, `raw-${name.replace(/\W/g, '')}`), [
      { name: 'crucible.json', content: MANIFEST },
      { name: 'train.sh', content: 'exit 0\n', mode: '100755' },
      ...extra,
    ]);
    const cache = `raw-cache-${name.replace(/\W/g, '')}`;
    const error = await rejection(intake(cache).inspect(repo.url, repo.sha));
    expect(error.code).toBe(Code.Unstorable);
    expect(error.message).toMatch(reason);
    expect(error.minerFault).toBe(true);
    expect(cacheEntries(cache)).toEqual([]);
  });

  it('refuses objects that fail fsck (a tree entry named .git) as the miner\'s fault', async () => {
    const repo = makeRawTreeRepo(path.join(root, 'dotgit'), [
      { name: 'crucible.json', content: MANIFEST },
      { name: '.git', content: '[core]\n\thooksPath = /tmp\n' },
    ]);
    const error = await rejection(intake('cache-dotgit').inspect(repo.url, repo.sha));
    expect(error.code).toBe(Code.Corrupt);
    expect(error.minerFault).toBe(true);
    expect(cacheEntries('cache-dotgit')).toEqual([]);
  });

  it('fetches over smart HTTP; other spellings of the URL are the same cached repository', async () => {
    const one = intake('spellings');
    expect((await one.inspect(repoUrl, sha)).manifest.entrypoint).toBe('train.sh');
    const other = repoUrl.replace('http://', 'HTTP://').replace(/\.git$/, '/');
    // Served from the cache: the server does not know this spelling, the cache does.
    expect((await one.inspect(other, sha)).manifest.entrypoint).toBe('train.sh');
    expect(cacheEntries('spellings')).toHaveLength(1);
  });

  describe('one uniform error for every refused or unreachable host', () => {
    let redirector: http.Server;
    let redirectUrl: string;
    beforeAll(async () => {
      // Sends every request on to the real git server: a redirect must never be followed.
      redirector = http.createServer((req, res) => {
        res.writeHead(302, { location: `${server.baseUrl}${req.url}` });
        res.end();
      });
      await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
      redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/miner/train.git`;
    });
    afterAll(() => new Promise<void>((r) => redirector.close(() => r())));

    const port = () => new URL(repoUrl).port;
    const refused: Array<[string, () => string, Partial<ConstructorParameters<typeof GitRepoIntake>[0]>]> = [
      ['loopback by address (a live git server)', () => repoUrl, { allowPrivateAddresses: false }],
      ['loopback by name, found after DNS', () => `http://localhost:${port()}/miner/train.git`, { allowPrivateAddresses: false }],
      ['loopback as a decimal number', () => `http://2130706433:${port()}/miner/train.git`, { allowPrivateAddresses: false }],
      ['IPv6 loopback', () => `http://[::1]:${port()}/miner/train.git`, { allowPrivateAddresses: false }],
      ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/miner/train.git`, { allowPrivateAddresses: false }],
      ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data.git', { allowPrivateAddresses: false }],
      ['a private network', () => 'http://10.0.0.1/miner/train.git', { allowPrivateAddresses: false }],
      ['a host off the allow-list', () => repoUrl, { allowedHosts: ['github.com', 'gitlab.com', 'huggingface.co'] }],
      ['a name that does not resolve', () => 'http://no-such-host.invalid/miner/train.git', {}],
      ['a port nobody listens on', () => 'http://127.0.0.1:1/miner/train.git', {}],
      ['a redirect (even to an allowed server)', () => redirectUrl, {}],
    ];
    it.each(refused)('%s', async (_name, url, options) => {
      const cache = `uniform-${randomBytes(4).toString('hex')}`;
      const error = await rejection(intake(cache, options).inspect(url(), sha));
      expect({ code: error.code, message: error.message, details: error.details, status: error.status }).toEqual({
        code: Code.FetchFailed,
        message: UNREACHABLE_MESSAGE,
        details: undefined,
        status: 'unavailable',
      });
      expect(cacheEntries(cache)).toEqual([]);
    });

    it('the same server is reached directly when allowed', async () => {
      expect((await intake('direct').inspect(repoUrl, sha)).treeHash).toMatch(/^[0-9a-f]{40}$/);
    });
  });
});

describe('treeProblems', () => {
  const entry = (p: string, mode = '100644', type = 'blob'): TreeEntry => ({ mode, type, object: '0'.repeat(40), size: 1, path: p });
  const limits = { maxFiles: 3, maxPathBytes: 40 };
  it('accepts plain files and directories within the limits', () => {
    expect(treeProblems([entry('crucible.json'), entry('src/train.py', '100755'), entry('a/b/c.txt')], limits)).toEqual([]);
  });
  it('names each problem', () => {
    // 'é' is 2 bytes: 128 of them make a 256-byte name (NAME_MAX is 255 bytes, not characters).
    expect(treeProblems([entry('é'.repeat(128))], { maxFiles: 3, maxPathBytes: 1024 })[0]).toMatch(/longer than 255 bytes/);
    expect(treeProblems([entry('a/'.repeat(20) + 'x')], limits)[0]).toMatch(/longer than 40 bytes/);
    expect(treeProblems([entry('x', '120000')], limits)[0]).toMatch(/symbolic link/);
    expect(treeProblems([entry('x', '160000', 'commit')], limits)[0]).toMatch(/not a regular file/);
    expect(treeProblems([entry('a\tb')], limits)[0]).toMatch(/control character/);
    expect(treeProblems([entry('sub/.GIT/config')], limits)[0]).toMatch(/reserved/);
    expect(treeProblems([entry('a'), entry('b'), entry('c'), entry('d')], limits)[0]).toMatch(/4 files, over the limit of 3/);
  });
});

describe('parseManifest', () => {
  it('accepts both entrypoint forms', () => {
    expect(parseManifest(JSON.stringify({ entrypoint: ['python3', 'train.py'], taskTypes: ['causal-lm'] })).ok).toBe(true);
    expect(parseManifest(MANIFEST).ok).toBe(true);
  });
  it('lists every problem at once', () => {
    const result = parseManifest(JSON.stringify({ entrypoint: '../escape.sh', taskTypes: [] }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toHaveLength(2);
  });
});
