import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MINERS_DIR = path.resolve(__dirname, '../fixtures/miners');

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'miner',
  GIT_AUTHOR_EMAIL: 'miner@example.invalid',
  GIT_COMMITTER_NAME: 'miner',
  GIT_COMMITTER_EMAIL: 'miner@example.invalid',
  // Fixed dates: the same fixture always gives the same commit SHA.
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

export interface FixtureRepo {
  dir: string;
  url: string;
  sha: string;
}

/** Turns a directory of plain files into a real git repo with one commit; returns a file:// URL. */
export function makeRepo(dir: string, files: Record<string, string | Buffer> = {}): FixtureRepo {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'miner submission']);
  return { dir, url: `file://${dir}`, sha: git(dir, ['rev-parse', 'HEAD']) };
}

/** Copies test/fixtures/miners/<name> into tmpRoot and commits it. */
export function makeMinerRepo(name: string, tmpRoot: string): FixtureRepo {
  const dir = path.join(tmpRoot, 'repos', name);
  fs.cpSync(path.join(MINERS_DIR, name), dir, { recursive: true });
  return makeRepo(dir);
}

/** The files of test/fixtures/miners/<miner>, by name (to build a repo from them with other files beside). */
export function minerFiles(miner: string): Record<string, Buffer> {
  const dir = path.join(MINERS_DIR, miner);
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

/** A copy of the example miner `template` at root/name with its own hyperparameters.json, committed. */
export function tunedMinerRepo(template: string, root: string, name: string, hyperparameters: Record<string, number>): FixtureRepo {
  const dir = path.join(root, name);
  fs.cpSync(path.join(MINERS_DIR, template), dir, { recursive: true });
  return makeRepo(dir, { 'hyperparameters.json': JSON.stringify(hyperparameters) });
}

/** A training split in the causal-lm format: tokens.bin (uint8 byte tokens) + meta.json. */
export function makeTrainDir(dir: string, text: string, seqLen = 32): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tokens.bin'), Buffer.from(text, 'utf8'));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ vocabSize: 256, seqLen }));
  return dir;
}

export const SAMPLE_TEXT = Array.from(
  { length: 200 },
  (_, i) =>
    `The ${['quick', 'lazy', 'clever', 'small'][i % 4]} ${['fox', 'dog', 'cat', 'bird'][(i * 7) % 4]} ` +
    `jumps over the ${['fence', 'river', 'wall', 'log'][(i * 3) % 4]} number ${i % 10}.`,
).join('\n');

/**
 * A repo whose one commit holds exactly these root entries, written with git plumbing: names the
 * filesystem could not hold (too long, control characters) or modes (links) a checkout can't make.
 */
export function makeRawTreeRepo(dir: string, entries: Array<{ name: string; content: string | Buffer; mode?: '100644' | '100755' | '120000' }>): FixtureRepo {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  const lines = entries.map((e) => {
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, env: GIT_ENV, input: e.content, encoding: 'utf8' }).trim();
    return `${e.mode ?? '100644'} blob ${blob}\t${e.name}\0`;
  });
  const tree = execFileSync('git', ['mktree', '-z'], { cwd: dir, env: GIT_ENV, input: lines.join(''), encoding: 'utf8' }).trim();
  const sha = git(dir, ['commit-tree', tree, '-m', 'miner submission']);
  git(dir, ['update-ref', 'refs/heads/main', sha]);
  return { dir, url: `file://${dir}`, sha };
}
