import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { git, makeMinerRepo, makeRepo } from '../../../test/support/git-fixtures';
import { GitRepoIntake } from './git-repo-intake';
import { parseManifest, RepoIntakeError, RepoIntakeErrorCode as Code } from './repo-intake';

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
