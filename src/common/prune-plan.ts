/** One thing a prune may remove: a run directory or a cached repository. */
export interface PrunableEntry {
  name: string;
  /** Last use (ms since epoch). */
  usedAtMs: number;
  bytes: number;
}

export interface PrunePolicy {
  nowMs: number;
  /** Entries unused for longer than this go. */
  maxAgeMs: number;
  /** Then, oldest first, until the rest fits in this many bytes. */
  maxBytes: number;
}

/**
 * Pure: which entries to remove. Everything past the retention age, then the least recently used
 * until the total fits; `keep` (entries in use) is never removed, even when that leaves it over.
 */
export function planPrune(entries: readonly PrunableEntry[], policy: PrunePolicy, keep: ReadonlySet<string> = new Set()): string[] {
  const removable = entries.filter((e) => !keep.has(e.name)).sort((a, b) => a.usedAtMs - b.usedAtMs || a.name.localeCompare(b.name));
  const remove = new Set(removable.filter((e) => policy.nowMs - e.usedAtMs > policy.maxAgeMs).map((e) => e.name));
  let total = entries.filter((e) => !remove.has(e.name)).reduce((sum, e) => sum + e.bytes, 0);
  for (const e of removable) {
    if (total <= policy.maxBytes) break;
    if (remove.has(e.name)) continue;
    remove.add(e.name);
    total -= e.bytes;
  }
  return removable.filter((e) => remove.has(e.name)).map((e) => e.name);
}
