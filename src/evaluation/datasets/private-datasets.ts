import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetDefinition } from './dataset';
import { errorMessage } from '../../common/error-message';
import { isRecord } from '../../common/is-record';

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
    return { definitions, problems: [`CRUCIBLE_DATASETS_DIR ${root} cannot be read: ${errorMessage(error)}`] };
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    try {
      definitions.push(readManifest(dir));
    } catch (error) {
      problems.push(`dataset ${entry.name} refused: ${errorMessage(error)}`);
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
  const m = parseJson(regularFile(dir, 'manifest.json', manifestPath));
  const invalid = (why: string) => new Error(`manifest.json: ${why}`);
  if (!isRecord(m)) throw invalid('must be a JSON object');
  const { id, file: dataFile, sha256: hashes } = m;
  if (typeof id !== 'string' || !ID.test(id)) throw invalid('id must be 1-64 of a-z 0-9 . _ - (starting with a letter or digit)');
  if (typeof m.licence !== 'string' || m.licence.trim() === '') throw invalid('licence is required');
  if (typeof dataFile !== 'string') throw invalid('file (the data file) is required');
  const testFraction = m.testFraction ?? 0.1;
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) throw invalid('testFraction must be in (0, 1)');
  if (!isRecord(hashes) || Object.keys(hashes).length === 0) throw invalid('sha256 must map every file to its hash');
  const dataSha256 = Object.prototype.hasOwnProperty.call(hashes, dataFile) ? hashes[dataFile] : undefined;
  if (dataSha256 === undefined) throw invalid(`sha256 has no entry for the data file ${dataFile}`);
  for (const [name, expected] of Object.entries(hashes)) {
    if (typeof expected !== 'string' || !HEX64.test(expected)) throw invalid(`sha256 of ${name} must be 64 lower-case hex digits`);
    const file = insidePath(dir, name);
    const actual = sha256(regularFile(dir, name, file));
    if (actual !== expected) throw new Error(`${name} does not match its sha256 in manifest.json (altered or replaced)`);
  }
  const file = insidePath(dir, dataFile);
  const description = typeof m.description === 'string' ? m.description : `private dataset ${id}`;
  const common = { id, path: file, testFraction, description, origin: 'private' as const, sha256: String(dataSha256) };
  const intIn = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (m.kind === 'text-bytes') {
    if (!intIn(m.seqLen, 2, 65536)) throw invalid('seqLen must be an integer in [2, 65536]');
    return { ...common, kind: 'text-bytes', seqLen: m.seqLen };
  }
  if (m.kind === 'jsonl-classification') {
    if (!intIn(m.numClasses, 2, 256)) throw invalid('numClasses must be an integer in [2, 256]');
    return { ...common, kind: 'jsonl-classification', numClasses: m.numClasses };
  }
  throw invalid('kind must be text-bytes or jsonl-classification');
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
