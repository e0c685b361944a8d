import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { PrunableEntry } from './prune-plan';

/** Bytes under a path, never following links (a link counts as itself). */
export async function diskBytes(target: string): Promise<number> {
  const st = await fs.lstat(target).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await fs.readdir(target).catch(() => [] as string[])) total += await diskBytes(path.join(target, name));
  return total;
}

/** The entries directly under `dir` with their last use (mtime) and size, for planPrune. */
export async function prunableEntries(dir: string, filter: (name: string) => boolean = () => true): Promise<PrunableEntry[]> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter(filter);
  const out: PrunableEntry[] = [];
  for (const name of names) {
    const st = await fs.lstat(path.join(dir, name)).catch(() => null);
    if (st) out.push({ name, usedAtMs: st.mtimeMs, bytes: await diskBytes(path.join(dir, name)) });
  }
  return out;
}
