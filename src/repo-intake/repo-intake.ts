import type { PrunePolicy } from '../common/prune-plan';
import { errorMessage } from '../common/error-message';
import { isRecord } from '../common/is-record';

/** crucible.json (DESIGN.md, "Miner repository contract"). */
export interface MinerManifest {
  entrypoint: string | string[];
  taskTypes: string[];
}

export interface RepoInspection {
  /** git tree hash of the commit: two submissions with the same tree are the same code. */
  treeHash: string;
  manifest: MinerManifest;
  /** Sum of the blob sizes in the tree. */
  sizeBytes: number;
}

/** Fetches miners' repositories at a pinned commit. Port; the git CLI adapter is the real one. */
export abstract class RepoIntake {
  /** Verifies the commit exists and the tree is acceptable; throws RepoIntakeError (repo-intake.errors.ts) otherwise. */
  abstract inspect(repoUrl: string, commitSha: string): Promise<RepoInspection>;
  /** Writes the commit's files (no .git) into destDir, which must exist and be empty. */
  abstract checkout(repoUrl: string, commitSha: string, destDir: string): Promise<void>;
  /** Removes cached repositories past the policy (age since last use, total size); returns what it removed. */
  abstract prune(policy: PrunePolicy): Promise<string[]>;
}

/** Pure: validates a parsed crucible.json. Returns the manifest or the list of problems. */
export function parseManifest(raw: string): { ok: true; manifest: MinerManifest } | { ok: false; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problems: [`crucible.json is not valid JSON: ${errorMessage(error)}`] };
  }
  if (!isRecord(value)) return { ok: false, problems: ['crucible.json must be a JSON object'] };
  const problems: string[] = [];
  const { entrypoint, taskTypes } = value;
  const safePath = (p: string): boolean => p.length > 0 && !p.startsWith('/') && !p.split('/').includes('..');
  if (typeof entrypoint === 'string') {
    if (!safePath(entrypoint)) problems.push('entrypoint must be a relative path inside the repository');
  } else if (Array.isArray(entrypoint)) {
    if (entrypoint.length === 0 || !entrypoint.every((p) => typeof p === 'string' && p.length > 0)) {
      problems.push('entrypoint must be a non-empty array of non-empty strings');
    }
  } else {
    problems.push('entrypoint must be a string (script path) or an array of strings (command)');
  }
  if (!Array.isArray(taskTypes) || taskTypes.length === 0 || !taskTypes.every((t) => typeof t === 'string' && t.length > 0)) {
    problems.push('taskTypes must be a non-empty array of task type names');
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, manifest: { entrypoint: entrypoint as string | string[], taskTypes: taskTypes as string[] } };
}

export const FULL_SHA = /^[0-9a-f]{40}$/;

/** One entry of `git ls-tree -r -l` (blobs, links and gitlinks; directories are implied by paths). */
export interface TreeEntry {
  mode: string;
  type: string;
  object: string;
  size: number;
  path: string;
}

export interface TreeLimits {
  maxFiles: number;
  /** Bytes of one path inside the repository (the run dir's prefix must still fit in PATH_MAX). */
  maxPathBytes: number;
}

/** Linux NAME_MAX: longer file names cannot be stored on any filesystem the worker uses. */
const NAME_MAX_BYTES = 255;
const REGULAR_MODES = new Set(['100644', '100755']);

/**
 * Pure: why the worker could not write this tree out as plain files, or [] when it can. Checked at
 * intake (the submitter hears it) and again before a run (a miner's fault, never the operator's).
 */
export function treeProblems(entries: TreeEntry[], limits: TreeLimits): string[] {
  const problems: string[] = [];
  if (entries.length > limits.maxFiles) problems.push(`the tree has ${entries.length} files, over the limit of ${limits.maxFiles}`);
  for (const e of entries) {
    const shown = JSON.stringify(e.path.length > 80 ? `${e.path.slice(0, 80)}...` : e.path);
    if (e.type === 'blob' && e.mode === '120000') problems.push(`${shown} is a symbolic link (links are not allowed)`);
    else if (e.type !== 'blob' || !REGULAR_MODES.has(e.mode)) problems.push(`${shown} is not a regular file (mode ${e.mode}, ${e.type})`);
    if (Buffer.byteLength(e.path) > limits.maxPathBytes) problems.push(`${shown} is a path longer than ${limits.maxPathBytes} bytes`);
    for (const part of e.path.split('/')) {
      if (Buffer.byteLength(part) > NAME_MAX_BYTES) problems.push(`${shown} has a name longer than ${NAME_MAX_BYTES} bytes`);
      // Control characters (newlines, escapes) are storable but forge log lines and terminal output.
      if (/[\x00-\x1f\x7f]/.test(part)) problems.push(`${shown} has a control character in its name`);
      if (part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git') problems.push(`${shown} has a reserved path component`);
    }
    if (problems.length >= 10) break;
  }
  return problems;
}
