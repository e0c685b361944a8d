import type { EnvReader } from '../env-reader';

/** Retention and size limits of the worker's runs/ and repo-cache/ folders, pruned periodically. */
export interface StorageConfig {
  runsRetentionDays: number;
  runsMaxMb: number;
  repoCacheRetentionDays: number;
  repoCacheMaxMb: number;
  pruneIntervalMinutes: number;
}

export function readStorageConfig(r: EnvReader): StorageConfig {
  return {
    runsRetentionDays: r.int('CRUCIBLE_RUNS_RETENTION_DAYS', 14, 1, 3650),
    runsMaxMb: r.int('CRUCIBLE_RUNS_MAX_MB', 50 * 1024, 1, 1024 * 1024 * 1024),
    repoCacheRetentionDays: r.int('CRUCIBLE_REPO_CACHE_RETENTION_DAYS', 14, 1, 3650),
    repoCacheMaxMb: r.int('CRUCIBLE_REPO_CACHE_MAX_MB', 10 * 1024, 1, 1024 * 1024 * 1024),
    pruneIntervalMinutes: r.int('CRUCIBLE_PRUNE_INTERVAL_MINUTES', 60, 1, 7 * 24 * 60),
  };
}
