import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { Publisher, PublishRequest, PublishResult } from './publisher';
import { PublishingError, PublishingErrorCode } from './publishing.errors';

export interface GithubPublisherOptions {
  org: string;
  token: string;
  /** https://github.com (or a test server). */
  gitBaseUrl: string;
  /** https://api.github.com (or a test double). */
  apiUrl: string;
  /** "Name <email>" of the results commit and the tag. */
  author: string;
  fetchImpl?: typeof fetch;
}

export const RESULTS_BRANCH = 'crucible-results';

/**
 * Layout of a published winner repository (<org>/<targetRepo>):
 *   - `main`             = the pinned commit, unchanged (its full history comes along);
 *   - `crucible-results` = one commit on top of it adding RESULTS.md;
 *   - tag <tag>          = annotated tag on that results commit.
 * The results commit and the tag use fixed dates and author, so publishing again produces the same
 * object ids: refs that already match are left alone, and a different object is never forced over.
 * The token travels in an HTTP header set through git's environment, never in argv or a URL.
 */
export class GithubPublisher extends Publisher {
  private readonly logger = new Logger(GithubPublisher.name);

  constructor(private readonly opts: GithubPublisherOptions) {
    super();
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    if (!/^[0-9a-f]{40}$/.test(req.commitSha)) throw new PublishingError(PublishingErrorCode.GitFailed, 'commitSha must be 40 hex');
    const createdRepo = await this.ensureRepo(req.targetRepo);
    const repoUrl = `${this.opts.gitBaseUrl.replace(/\/$/, '')}/${this.opts.org}/${req.targetRepo}.git`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-publish-'));
    try {
      await this.git(work, ['init', '--bare', '--quiet']);
      await this.git(work, ['fetch', '--quiet', '--no-tags', req.sourceRepoUrl, req.commitSha]);
      await this.git(work, ['cat-file', '-e', `${req.commitSha}^{commit}`]);
      const { name, email } = parseAuthor(this.opts.author);
      const date = `@${Math.floor(req.at.getTime() / 1000)} +0000`;
      const idEnv = { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
      const blobFile = path.join(work, 'RESULTS.md.tmp');
      fs.writeFileSync(blobFile, req.resultsMarkdown);
      const blob = (await this.git(work, ['hash-object', '-w', blobFile])).trim();
      const indexEnv = { GIT_INDEX_FILE: path.join(work, 'results.index') };
      await this.git(work, ['read-tree', req.commitSha], indexEnv);
      await this.git(work, ['update-index', '--add', '--cacheinfo', `100644,${blob},RESULTS.md`], indexEnv);
      const tree = (await this.git(work, ['write-tree'], indexEnv)).trim();
      const results = (await this.git(work, ['commit-tree', tree, '-p', req.commitSha, '-m', `Crucible results: ${req.tag}\n\nThe pinned commit ${req.commitSha} is the parent, unchanged.`], idEnv)).trim();
      await this.git(work, ['tag', '-a', req.tag, results, '-m', `Crucible tournament ${req.tag}: winner at ${req.commitSha}`], idEnv);
      const tagObject = (await this.git(work, ['rev-parse', `refs/tags/${req.tag}`])).trim();

      const wanted = new Map([
        ['refs/heads/main', req.commitSha],
        [`refs/heads/${RESULTS_BRANCH}`, results],
        [`refs/tags/${req.tag}`, tagObject],
      ]);
      const remote = await this.lsRemote(work, repoUrl);
      const refspecs: string[] = [];
      for (const [ref, sha] of wanted) {
        const current = remote.get(ref);
        if (current === sha) continue;
        if (current !== undefined && ref.startsWith('refs/tags/')) {
          throw new PublishingError(PublishingErrorCode.Conflict, `tag ${req.tag} already exists in ${this.opts.org}/${req.targetRepo} with different content`, { ref });
        }
        refspecs.push(`${sha}:${ref}`);
      }
      if (refspecs.length > 0) await this.git(work, ['push', '--quiet', repoUrl, ...refspecs], this.authEnv());
      this.logger.log({ repo: `${this.opts.org}/${req.targetRepo}`, tag: req.tag, pushed: refspecs.length }, refspecs.length ? 'winner published' : 'winner already published');
      return { repoUrl, tag: req.tag, commitSha: req.commitSha, resultsCommitSha: results, changed: refspecs.length > 0, createdRepo };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }

  private async lsRemote(work: string, repoUrl: string): Promise<Map<string, string>> {
    const outText = await this.git(work, ['ls-remote', repoUrl], this.authEnv());
    const refs = new Map<string, string>();
    for (const line of outText.split('\n')) {
      const [sha, ref] = line.split('\t');
      if (sha && ref && !ref.endsWith('^{}')) refs.set(ref, sha);
    }
    return refs;
  }

  /** Creates <org>/<name> through the REST API when it does not exist; true when created. */
  private async ensureRepo(name: string): Promise<boolean> {
    const f = this.opts.fetchImpl ?? fetch;
    const headers = { authorization: `Bearer ${this.opts.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' };
    const api = this.opts.apiUrl.replace(/\/$/, '');
    const got = await f(`${api}/repos/${this.opts.org}/${name}`, { headers });
    if (got.ok) return false;
    if (got.status !== 404) throw new PublishingError(PublishingErrorCode.GithubApi, `GitHub answered ${got.status} for ${this.opts.org}/${name}`);
    const created = await f(`${api}/orgs/${this.opts.org}/repos`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name, private: false, has_issues: false, has_wiki: false, description: 'Crucible tournament winner (published by the validator)' }),
    });
    if (created.status === 201) return true;
    if (created.status === 422) return false; // created concurrently
    throw new PublishingError(PublishingErrorCode.GithubApi, `GitHub refused to create ${this.opts.org}/${name}: ${created.status}`);
  }

  private authEnv(): Record<string, string> {
    const basic = Buffer.from(`x-access-token:${this.opts.token}`).toString('base64');
    return { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`, GIT_TERMINAL_PROMPT: '0' };
  }

  private git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('git', ['--git-dir', cwd, ...args], { cwd, env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: os.tmpdir(), GIT_CONFIG_NOSYSTEM: '1', ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (error, stdout, stderr) => {
        if (error) {
          // stderr never holds the token (it is in a header, and git does not echo headers).
          reject(new PublishingError(PublishingErrorCode.GitFailed, `git ${args[0]} failed: ${stderr.trim().split('\n').slice(-2).join(' ')}`, { command: args[0] }, { cause: error }));
          return;
        }
        resolve(stdout);
      });
    });
  }
}

function parseAuthor(author: string): { name: string; email: string } {
  const m = /^([^<>]+) <([^<>\s]+)>$/.exec(author);
  return m ? { name: m[1].trim(), email: m[2] } : { name: 'Crucible', email: 'crucible@users.noreply.github.com' };
}
