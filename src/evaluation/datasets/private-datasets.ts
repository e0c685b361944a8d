import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetDefinition } from './dataset';

/**
 * The organiser's private datasets (CRUCIBLE_DATASETS_DIR): one folder per dataset, outside the
 * repository, each with a `manifest.json`:
 *
 *   { "id": "my-corpus", "kind": "text-bytes", "file": "corpus.txt", "seqLen": 128, "testFraction": 0.1,
 *     "licence": "...", "description": "...", "sha256": { "corpus.txt": "<64 hex>" } }
 *
 * (`kind` "jsonl-classification" takes `numClasses` instead of `seqLen`). Every file is a regular file
 * inside its folder (no symlinks, no `..`, no absolute paths) whose sha256 matches the manifest; the
 * data file is checked again each time it is loaded. A dataset with any problem is refused with a
 * reason naming the file; the others, and the service, carry on.
 */
export interface PrivateDatasetScan {
  definitions: DatasetDefinition[];
  /** One line per refused dataset (or unreadable folder), naming what is wrong. */
  problems: string[];
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export function scanPrivateDatasets(root: string): PrivateDatasetScan {
  const definitions: DatasetDefinition[] = [];
  const problems: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch (error) {
    return { definitions, problems: [`CRUCIBLE_DATASETS_DIR ${root} cannot be read: ${(error as Error).message}`] };
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    try {
      definitions.push(readManifest(dir));
    } catch (error) {
      problems.push(`dataset ${entry.name} refused: ${(error as Error).message}`);
    }
  }
  const seen = new Set<string>();
  return {
    definitions: definitions.filter((d) => {
      if (seen.has(d.id)) {
        problems.push(`dataset ${d.id} refused: the id is used by another folder`);
        return false;
      }
      seen.add(d.id);
      return true;
    }),
    problems,
  };
}

function readManifest(dir: string): DatasetDefinition {
  const manifestPath = path.join(dir, 'manifest.json');
  const m = parseJson(regularFile(dir, 'manifest.json', manifestPath)) as Record<string, unknown>;
  const fail = (why: string): never => {
    throw new Error(`manifest.json: ${why}`);
  };
  if (typeof m !== 'object' || m === null || Array.isArray(m)) fail('must be a JSON object');
  if (typeof m.id !== 'string' || !ID.test(m.id)) fail('id must be 1-64 of a-z 0-9 . _ - (starting with a letter or digit)');
  if (typeof m.licence !== 'string' || m.licence.trim() === '') fail('licence is required');
  if (typeof m.file !== 'string') fail('file (the data file) is required');
  const testFraction = m.testFraction ?? 0.1;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) fail('testFraction must be in (0, 1)');
  const hashes = m.sha256 as Record<string, unknown> | undefined;
  if (typeof hashes !== 'object' || hashes === null || Array.isArray(hashes) || Object.keys(hashes).length === 0) fail('sha256 must map every file to its hash');
  if (!Object.prototype.hasOwnProperty.call(hashes, m.file as string)) fail(`sha256 has no entry for the data file ${String(m.file)}`);
  for (const [name, expected] of Object.entries(hashes as Record<string, unknown>)) {
    if (typeof expected !== 'string' || !HEX64.test(expected)) fail(`sha256 of ${name} must be 64 lower-case hex digits`);
    const file = insidePath(dir, name);
    const actual = sha256(regularFile(dir, name, file));
    if (actual !== expected) throw new Error(`${name} does not match its sha256 in manifest.json (altered or replaced)`);
  }
  const file = insidePath(dir, m.file as string);
  const description = typeof m.description === 'string' ? m.description : `private dataset ${m.id as string}`;
  const common = { id: m.id as string, path: file, testFraction: testFraction as number, description, origin: 'private' as const, sha256: (hashes as Record<string, string>)[m.file as string] };
  if (m.kind === 'text-bytes') {
    if (!Number.isInteger(m.seqLen) || (m.seqLen as number) < 2 || (m.seqLen as number) > 65536) fail('seqLen must be an integer in [2, 65536]');
    return { ...common, kind: 'text-bytes', seqLen: m.seqLen as number };
  }
  if (m.kind === 'jsonl-classification') {
    if (!Number.isInteger(m.numClasses) || (m.numClasses as number) < 2 || (m.numClasses as number) > 256) fail('numClasses must be an integer in [2, 256]');
    return { ...common, kind: 'jsonl-classification', numClasses: m.numClasses as number };
  }
  return fail('kind must be text-bytes or jsonl-classification');
}

/** `name` resolved inside `dir`; relative, no `..` segment. */
function insidePath(dir: string, name: string): string {
  if (name === '' || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw new Error(`${name}: the path must stay inside the dataset folder`);
  return path.join(dir, name);
}

/** Reads a regular file that is not a link (lstat, so a symlink anywhere at the leaf is refused). */
function regularFile(dir: string, name: string, file: string): Buffer {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    throw new Error(`${name} is missing`);
  }
  if (stat.isSymbolicLink()) throw new Error(`${name} is a symbolic link (only regular files inside the folder)`);
  if (!stat.isFile()) throw new Error(`${name} is not a regular file`);
  // A directory component that is a link would also lead outside: compare real paths.
  const real = fs.realpathSync(file);
  if (!real.startsWith(fs.realpathSync(dir) + path.sep)) throw new Error(`${name} resolves outside the dataset folder`);
  return fs.readFileSync(file);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Error('manifest.json: not valid JSON');
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
