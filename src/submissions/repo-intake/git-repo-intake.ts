import { Logger } from '@nestjs/common';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  FULL_SHA,
  parseManifest,
  RepoIntake,
  RepoIntakeError,
  RepoIntakeErrorCode as Code,
  type RepoInspection,
} from './repo-intake';

export interface GitRepoIntakeOptions {
  /** Bare clones are cached here, one per repo URL. */
  cacheDir: string;
  /** Sent as Basic auth to https remotes only. */
  token?: string;
  /** Allow http:// and file:// (tests, local mirrors). */
  allowInsecureSchemes: boolean;
  maxRepoBytes: number;
  timeoutMs: number;
}

const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/homebrew/bin';

interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number;
  path: string;
}

class GitCommandError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

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
    const treeHash = (await this.git(gitDir, ['rev-parse', `${commitSha}^{tree}`])).trim();
    const entries = await this.listTree(gitDir, commitSha);

    const gitlinks = entries.filter((e) => e.type === 'commit' || e.path === '.gitmodules' || e.path.endsWith('/.gitmodules'));
    if (gitlinks.length > 0) {
      throw new RepoIntakeError(Code.Submodules, 'submodules are not allowed: the pinned commit must contain all of its code', {
        paths: gitlinks.map((e) => e.path).slice(0, 10),
      });
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
  }

  /** Makes sure the commit is in the local cache; returns the bare repo's path. */
  private async ensureCommit(repoUrl: string, commitSha: string): Promise<string> {
    this.validate(repoUrl, commitSha);
    const key = createHash('sha256').update(repoUrl).digest('hex').slice(0, 32);
    const gitDir = path.join(this.options.cacheDir, `${key}.git`);
    return this.withLock(gitDir, async () => {
      await fs.mkdir(this.options.cacheDir, { recursive: true });
      const exists = await fs.stat(path.join(gitDir, 'HEAD')).then(() => true, () => false);
      if (!exists) await this.git(null, ['init', '--bare', '--quiet', gitDir]);
      if (await this.hasCommit(gitDir, commitSha)) return gitDir;
      try {
        // Fetch just the pinned commit (GitHub and git >= 2.x over protocol v2 allow wants by SHA).
        await this.git(gitDir, ['fetch', '--quiet', '--no-tags', '--depth=1', repoUrl, commitSha], repoUrl);
      } catch (first) {
        // Servers that refuse wants by SHA: fetch all branches and tags, then look for the commit.
        try {
          await this.git(gitDir, ['fetch', '--quiet', '--tags', repoUrl, '+refs/heads/*:refs/remotes/origin/*'], repoUrl);
        } catch (second) {
          throw new RepoIntakeError(Code.FetchFailed, `could not fetch the repository: ${this.firstLine(second)}`, undefined, { cause: first });
        }
      }
      if (!(await this.hasCommit(gitDir, commitSha))) {
        throw new RepoIntakeError(Code.CommitNotFound, `commit ${commitSha} does not exist in the repository`, { commitSha });
      }
      this.logger.log({ msg: 'fetched repository', commitSha, cache: key });
      return gitDir;
    });
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
          reject(new RepoIntakeError(Code.FetchFailed, `${what} failed: ${stderr.trim()}`));
        }
        if (--pending === 0 && !failed) resolve();
      };
      archive.on('close', done('git archive'));
      tar.on('close', done('tar'));
      archive.on('error', reject);
      tar.on('error', reject);
    });
  }

  private env(remoteUrl?: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      // A fixed PATH instead of the service's: nothing from our environment reaches git.
      PATH: SAFE_PATH,
      // No prompts, no user or system config, no LFS downloads, no hooks.
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      HOME: this.options.cacheDir,
      GIT_LFS_SKIP_SMUDGE: '1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: '/dev/null',
    };
    if (remoteUrl?.startsWith('https://') && this.options.token) {
      // Through the environment, so the token never appears in argv (ps) or in the cached remote URL.
      const basic = Buffer.from(`x-access-token:${this.options.token}`).toString('base64');
      env.GIT_CONFIG_COUNT = '2';
      env.GIT_CONFIG_KEY_1 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_1 = `Authorization: Basic ${basic}`;
    }
    return env;
  }

  private git(gitDir: string | null, args: string[], remoteUrl?: string): Promise<string> {
    const full = gitDir ? ['--git-dir', gitDir, ...args] : args;
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        full,
        { env: this.env(remoteUrl), timeout: this.options.timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) reject(new GitCommandError(`git ${args[0]} failed: ${stderr.trim() || error.message}`, stderr));
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
