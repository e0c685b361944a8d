import { Logger } from '@nestjs/common';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  FULL_SHA,
  parseManifest,
  RepoIntake,
  treeProblems,
  type RepoInspection,
  type TreeEntry,
} from './repo-intake';
import { GitCommandError, RepoIntakeError, RepoIntakeErrorCode as Code } from './repo-intake.errors';
import { prunableEntries } from '../common/disk-usage';
import { planPrune, type PrunePolicy } from '../common/prune-plan';
import { canonicalRepoUrl, hostAllowed, isPublicAddress } from './repo-url';

export interface GitRepoIntakeOptions {
  /** Bare clones are cached here, one per repository (canonical URL). */
  cacheDir: string;
  /** Sent as Basic auth to https remotes only. */
  token?: string;
  /** Allow http:// and file:// (tests, local mirrors). */
  allowInsecureSchemes: boolean;
  /** Hosts a repository may live on (exact names); null: any host. */
  allowedHosts?: readonly string[] | null;
  /** Allow hosts that resolve to loopback, private, link-local or metadata addresses (tests, local mirrors). */
  allowPrivateAddresses?: boolean;
  maxRepoBytes: number;
  /** Files in the pinned tree. */
  maxFiles?: number;
  timeoutMs: number;
}

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/homebrew/bin';
/** A path in the repository, in bytes: the per-run dir's prefix must still fit in PATH_MAX (4096). */
const MAX_PATH_BYTES = 1024;
/** Received packs may exceed the tree's size a little (headers, deltas); anything more is cut by the kernel. */
const PACK_SLACK_BYTES = 1024 * 1024;

/**
 * The one answer for every host a fetch may not or could not reach (not allowed, private address,
 * no DNS, refused, redirected, timed out): the intake must not tell a prober which of them it was.
 */
export const UNREACHABLE_MESSAGE = 'could not fetch the repository: the host is not allowed or not reachable';

/** Repo intake through the git CLI: fetch by SHA into a cached bare repo, inspect with plumbing commands. */
export class GitRepoIntake extends RepoIntake {
  private readonly logger = new Logger(GitRepoIntake.name);
  /** Serialises git operations per cached repo (git's own locks would fail, not wait). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: GitRepoIntakeOptions) {
    super();
  }

  async inspect(repoUrl: string, commitSha: string): Promise<RepoInspection> {
    const gitDir = await this.ensureCommit(repoUrl, commitSha);
    try {
      return await this.inspectCached(gitDir, commitSha);
    } catch (error) {
      // A rejected repository leaves nothing behind (the cache is only a cache: others refetch).
      if (error instanceof RepoIntakeError) await this.withLock(gitDir, () => fs.rm(gitDir, { recursive: true, force: true }));
      throw error;
    }
  }

  private async inspectCached(gitDir: string, commitSha: string): Promise<RepoInspection> {
    const treeHash = (await this.git(gitDir, ['rev-parse', `${commitSha}^{tree}`])).trim();
    const entries = await this.listTree(gitDir, commitSha);

    const gitlinks = entries.filter((e) => e.type === 'commit' || e.path === '.gitmodules' || e.path.endsWith('/.gitmodules'));
    if (gitlinks.length > 0) {
      throw new RepoIntakeError(Code.Submodules, 'submodules are not allowed: the pinned commit must contain all of its code', {
        paths: gitlinks.map((e) => e.path).slice(0, 10),
      });
    }
    const unstorable = treeProblems(entries, { maxFiles: this.options.maxFiles ?? 10_000, maxPathBytes: MAX_PATH_BYTES });
    if (unstorable.length > 0) {
      throw new RepoIntakeError(Code.Unstorable, `the repository cannot be written out as plain files: ${unstorable.join('; ')}`, { problems: unstorable });
    }
    const sizeBytes = entries.reduce((sum, e) => sum + e.size, 0);
    if (sizeBytes > this.options.maxRepoBytes) {
      throw new RepoIntakeError(Code.TooLarge, `repository tree is ${sizeBytes} bytes, over the limit of ${this.options.maxRepoBytes}`, {
        sizeBytes,
        maxBytes: this.options.maxRepoBytes,
      });
    }
    for (const attributes of entries.filter((e) => e.type === 'blob' && path.posix.basename(e.path) === '.gitattributes')) {
      const text = await this.git(gitDir, ['cat-file', 'blob', attributes.object]);
      if (/filter=lfs/.test(text)) {
        throw new RepoIntakeError(Code.LfsPointers, 'Git LFS is not allowed: files would be fetched from elsewhere at run time', {
          path: attributes.path,
        });
      }
    }

    const manifestEntry = entries.find((e) => e.path === 'crucible.json');
    if (!manifestEntry) throw new RepoIntakeError(Code.ManifestMissing, 'crucible.json is missing at the repository root');
    if (manifestEntry.type !== 'blob' || !['100644', '100755'].includes(manifestEntry.mode)) {
      throw new RepoIntakeError(Code.ManifestInvalid, 'crucible.json must be a regular file (not a link)');
    }
    if (manifestEntry.size > 64 * 1024) throw new RepoIntakeError(Code.ManifestInvalid, 'crucible.json is larger than 64 KiB');
    const parsed = parseManifest(await this.git(gitDir, ['cat-file', 'blob', manifestEntry.object]));
    if (!parsed.ok) {
      throw new RepoIntakeError(Code.ManifestInvalid, `crucible.json is invalid: ${parsed.problems.join('; ')}`, { problems: parsed.problems });
    }
    const { entrypoint } = parsed.manifest;
    if (typeof entrypoint === 'string' && !entries.some((e) => e.path === entrypoint && e.type === 'blob')) {
      throw new RepoIntakeError(Code.ManifestInvalid, `crucible.json entrypoint "${entrypoint}" is not a file in the repository`);
    }
    return { treeHash, manifest: parsed.manifest, sizeBytes };
  }

  async checkout(repoUrl: string, commitSha: string, destDir: string): Promise<void> {
    const gitDir = await this.ensureCommit(repoUrl, commitSha);
    await fs.mkdir(destDir, { recursive: true });
    const unstorable = treeProblems(await this.listTree(gitDir, commitSha), { maxFiles: this.options.maxFiles ?? 10_000, maxPathBytes: MAX_PATH_BYTES });
    if (unstorable.length > 0) {
      throw new RepoIntakeError(Code.Unstorable, `the repository cannot be written out as plain files: ${unstorable.join('; ')}`, { problems: unstorable });
    }
    await this.withLock(gitDir, () => this.archiveInto(gitDir, commitSha, destDir));
  }

  private validate(repoUrl: string, commitSha: string): void {
    if (!FULL_SHA.test(commitSha)) {
      throw new RepoIntakeError(Code.InvalidCommit, 'commitSha must be a full 40-character lowercase hex SHA-1', { commitSha });
    }
    let url: URL;
    try {
      url = new URL(repoUrl);
    } catch {
      throw new RepoIntakeError(Code.InvalidUrl, 'repoUrl is not a valid URL');
    }
    const allowed = this.options.allowInsecureSchemes ? ['https:', 'http:', 'file:'] : ['https:'];
    if (!allowed.includes(url.protocol)) {
      throw new RepoIntakeError(Code.InvalidUrl, `repoUrl must use ${allowed.map((s) => s.replace(':', '')).join(' or ')}`);
    }
    if (url.username || url.password) throw new RepoIntakeError(Code.InvalidUrl, 'repoUrl must not contain credentials');
    if (url.protocol !== 'file:' && !hostAllowed(url.hostname.toLowerCase(), this.options.allowedHosts ?? null)) throw this.unreachable(repoUrl, 'host not on the allow-list');
  }

  /**
   * Resolves the host once and checks every address; git is then pinned to those addresses
   * (curl's resolve list), so a second lookup cannot rebind the name to a private address.
   */
  private async pinnedAddresses(repoUrl: string): Promise<string[]> {
    const url = new URL(repoUrl);
    if (url.protocol === 'file:') return [];
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const found = await lookup(host, { all: true, verbatim: true }).catch(() => []);
    if (found.length === 0) throw this.unreachable(repoUrl, 'no address');
    if (!this.options.allowPrivateAddresses && found.some((a) => !isPublicAddress(a.address))) throw this.unreachable(repoUrl, 'non-public address');
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return [`${url.hostname}:${port}:${found.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)).join(',')}`];
  }

  private unreachable(repoUrl: string, why: string, cause?: unknown): RepoIntakeError {
    // The operator sees why (the submitter does not).
    this.logger.warn({ host: URL.canParse(repoUrl) ? new URL(repoUrl).host : null, why, error: cause ? this.firstLine(cause) : undefined }, 'repository host refused or unreachable');
    return new RepoIntakeError(Code.FetchFailed, UNREACHABLE_MESSAGE);
  }

  /** Makes sure the commit is in the local cache; returns the bare repo's path. */
  private async ensureCommit(repoUrl: string, commitSha: string): Promise<string> {
    this.validate(repoUrl, commitSha);
    const canonical = canonicalRepoUrl(repoUrl);
    const key = createHash('sha256').update(canonical).digest('hex').slice(0, 32);
    const gitDir = path.join(this.options.cacheDir, `${key}.git`);
    return this.withLock(gitDir, async () => {
      await fs.mkdir(this.options.cacheDir, { recursive: true });
      const exists = await fs.stat(path.join(gitDir, 'HEAD')).then(() => true, () => false);
      if (exists && (await this.hasCommit(gitDir, commitSha))) {
        await this.touch(gitDir);
        return gitDir;
      }
      try {
        const resolve = await this.pinnedAddresses(repoUrl);
        if (!exists) await this.git(null, ['init', '--bare', '--quiet', gitDir]);
        await this.fetchCommit(gitDir, repoUrl, commitSha, resolve);
        if (!(await this.hasCommit(gitDir, commitSha))) {
          throw new RepoIntakeError(Code.CommitNotFound, `commit ${commitSha} does not exist in the repository`, { commitSha });
        }
      } catch (error) {
        // Nothing of a rejected or failed fetch stays in the cache (partial packs included).
        await fs.rm(gitDir, { recursive: true, force: true });
        throw error;
      }
      this.logger.log({ commitSha, cache: key }, 'fetched repository');
      await this.touch(gitDir);
      return gitDir;
    });
  }

  /** The cache dir's mtime is its last use: what the prune goes by. */
  private async touch(gitDir: string): Promise<void> {
    const now = new Date();
    await fs.utimes(gitDir, now, now).catch(() => undefined);
  }

  async prune(policy: PrunePolicy): Promise<string[]> {
    const entries = await prunableEntries(this.options.cacheDir, (n) => n.endsWith('.git'));
    const removed: string[] = [];
    for (const name of planPrune(entries, policy)) {
      const gitDir = path.join(this.options.cacheDir, name);
      // Under the repo's lock: never under a fetch or checkout in progress.
      await this.withLock(gitDir, () => fs.rm(gitDir, { recursive: true, force: true }));
      removed.push(name);
    }
    return removed;
  }

  /**
   * Fetches under a kernel file-size limit (RLIMIT_FSIZE, via prlimit) so the received pack cannot
   * grow past the repository limit, with fsck on every received object, no redirects, and a timeout.
   */
  private async fetchCommit(gitDir: string, repoUrl: string, commitSha: string, resolve: string[]): Promise<void> {
    const fetch = (args: string[]) => this.git(gitDir, ['fetch', '--quiet', ...args], repoUrl, { resolve, maxFileBytes: this.options.maxRepoBytes + PACK_SLACK_BYTES });
    try {
      // Fetch just the pinned commit (GitHub and git >= 2.x over protocol v2 allow wants by SHA).
      await fetch(['--no-tags', '--depth=1', repoUrl, commitSha]);
    } catch (first) {
      await this.explainFetchFailure(gitDir, repoUrl, first);
      // Servers that refuse wants by SHA: fetch all branches and tags, then look for the commit.
      try {
        await fetch(['--tags', repoUrl, '+refs/heads/*:refs/remotes/origin/*']);
      } catch (second) {
        await this.explainFetchFailure(gitDir, repoUrl, second);
        throw this.unreachable(repoUrl, 'fetch failed', second);
      }
    }
  }

  /** Throws the miner's error when the evidence says the content (not the host) made the fetch fail. */
  private async explainFetchFailure(gitDir: string, repoUrl: string, error: unknown): Promise<void> {
    const packDir = path.join(gitDir, 'objects', 'pack');
    const partial = await fs.readdir(packDir).catch(() => [] as string[]);
    for (const name of partial.filter((n) => n.startsWith('tmp_pack_'))) {
      const size = (await fs.stat(path.join(packDir, name)).catch(() => null))?.size ?? 0;
      if (size >= this.options.maxRepoBytes + PACK_SLACK_BYTES) {
        throw new RepoIntakeError(Code.TooLarge, `the repository's transfer exceeded ${this.options.maxRepoBytes + PACK_SLACK_BYTES} bytes and was stopped`, {
          maxBytes: this.options.maxRepoBytes,
        });
      }
    }
    const stderr = error instanceof GitCommandError ? error.stderr : '';
    if (/fsck error|object .* is a|error in (tree|commit|tag)|invalid (tree|commit|object)|did not pass fsck|fsckObjects/i.test(stderr)) {
      throw new RepoIntakeError(Code.Corrupt, `the repository's objects fail git's integrity checks (fsck): ${this.firstLine(error)}`);
    }
    if (error instanceof GitCommandError && error.killed) throw this.unreachable(repoUrl, 'timed out', error);
  }

  private async hasCommit(gitDir: string, sha: string): Promise<boolean> {
    return this.git(gitDir, ['cat-file', '-e', `${sha}^{commit}`]).then(() => true, () => false);
  }

  private async listTree(gitDir: string, sha: string): Promise<TreeEntry[]> {
    const out = await this.git(gitDir, ['ls-tree', '-r', '-l', '-z', '--full-tree', sha]);
    return out
      .split('\0')
      .filter((line) => line.length > 0)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, object, size] = line.slice(0, tab).split(/\s+/);
        return { mode, type, object, size: size === '-' ? 0 : Number(size), path: line.slice(tab + 1) };
      });
  }

  private archiveInto(gitDir: string, sha: string, destDir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const archive = spawn('git', ['--git-dir', gitDir, 'archive', '--format=tar', sha], { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
      const tar = spawn('tar', ['-x', '-C', destDir, '--no-same-owner'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      archive.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      archive.stdout.pipe(tar.stdin);
      let pending = 2;
      let failed = false;
      const done = (what: string) => (code: number | null) => {
        if (code !== 0 && !failed) {
          failed = true;
          // Our disk or our cache failing is ours; a tree that cannot be written out is the miner's.
          const ours = /No space left|Read-only file system|Disk quota|not a git repository|bad object|Cannot allocate memory/i.test(stderr);
          reject(new RepoIntakeError(ours ? Code.FetchFailed : Code.Unstorable, `${what} failed: ${stderr.trim().slice(0, 500)}`));
        }
        if (--pending === 0 && !failed) resolve();
      };
      archive.on('close', done('git archive'));
      tar.on('close', done('tar'));
      archive.on('error', reject);
      tar.on('error', reject);
    });
  }

  private env(remoteUrl?: string, resolve: string[] = []): NodeJS.ProcessEnv {
    const config: Array<[string, string]> = [
      ['core.hooksPath', '/dev/null'],
      // Every received object is checked (bad trees, .git names, duplicate entries) before it is kept.
      ['transfer.fsckObjects', 'true'],
      // One pack file per fetch (no loose objects), so the file-size limit bounds the whole transfer.
      ['transfer.unpackLimit', '1'],
      ['fetch.unpackLimit', '1'],
      // A redirect could lead anywhere (a private address): never follow one.
      ['http.followRedirects', 'false'],
      ['protocol.allow', 'never'],
      ['protocol.https.allow', 'always'],
      ['protocol.http.allow', this.options.allowInsecureSchemes ? 'always' : 'never'],
      ['protocol.file.allow', this.options.allowInsecureSchemes ? 'always' : 'never'],
      ...resolve.map((r): [string, string] => ['http.curloptResolve', r]),
    ];
    const env: NodeJS.ProcessEnv = {
      // A fixed PATH instead of the service's: nothing from our environment reaches git.
      PATH: SAFE_PATH,
      // No prompts, no user or system config, no LFS downloads, no hooks.
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      HOME: this.options.cacheDir,
      GIT_LFS_SKIP_SMUDGE: '1',
    };
    if (remoteUrl?.startsWith('https://') && this.options.token) {
      // Through the environment, so the token never appears in argv (ps) or in the cached remote URL.
      const basic = Buffer.from(`x-access-token:${this.options.token}`).toString('base64');
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    return env;
  }

  private git(gitDir: string | null, args: string[], remoteUrl?: string, fetch?: { resolve: string[]; maxFileBytes: number }): Promise<string> {
    const full = gitDir ? ['--git-dir', gitDir, ...args] : args;
    // prlimit sets RLIMIT_FSIZE for git and the index-pack it starts: the kernel stops the pack at the limit.
    const [command, argv] = fetch ? ['prlimit', [`--fsize=${fetch.maxFileBytes}`, '--', 'git', ...full]] : ['git', full];
    return new Promise((resolve, reject) => {
      execFile(
        command,
        argv,
        { env: this.env(remoteUrl, fetch?.resolve), timeout: this.options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) reject(new GitCommandError(`git ${args[0]} failed: ${stderr.trim() || error.message}`, stderr, error.killed === true));
          else resolve(stdout);
        },
      );
    });
  }

  private firstLine(error: unknown): string {
    const text = error instanceof GitCommandError ? error.stderr || error.message : String(error);
    // Never echo a token: git may print the URL, and we never put credentials in it anyway.
    return text.trim().split('\n').filter((l) => l.trim()).slice(-1)[0] ?? 'unknown error';
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(() => undefined, () => undefined);
    this.locks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}
