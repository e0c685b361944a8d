import { describeVariables } from '../../../test/support/config-cases';
import { readStorageConfig, type StorageConfig } from './storage.config';

describe('storage config', () => {
  describeVariables<StorageConfig>(readStorageConfig, [
    {
      name: 'CRUCIBLE_RUNS_RETENTION_DAYS',
      get: (c) => c.runsRetentionDays,
      unset: 14,
      valid: [['1', 1], ['3650', 3650]],
      invalid: [['0', 'CRUCIBLE_RUNS_RETENTION_DAYS must be an integer between 1 and 3650 (got "0")']],
    },
    {
      name: 'CRUCIBLE_RUNS_MAX_MB',
      get: (c) => c.runsMaxMb,
      unset: 51200,
      valid: [['1', 1], ['1073741824', 1073741824]],
      invalid: [['1073741825', 'CRUCIBLE_RUNS_MAX_MB must be an integer between 1 and 1073741824 (got "1073741825")']],
    },
    {
      name: 'CRUCIBLE_REPO_CACHE_RETENTION_DAYS',
      get: (c) => c.repoCacheRetentionDays,
      unset: 14,
      valid: [['30', 30]],
      invalid: [['3651', 'CRUCIBLE_REPO_CACHE_RETENTION_DAYS must be an integer between 1 and 3650 (got "3651")']],
    },
    {
      name: 'CRUCIBLE_REPO_CACHE_MAX_MB',
      get: (c) => c.repoCacheMaxMb,
      unset: 10240,
      valid: [['2048', 2048]],
      invalid: [['10G', 'CRUCIBLE_REPO_CACHE_MAX_MB must be an integer between 1 and 1073741824 (got "10G")']],
    },
    {
      name: 'CRUCIBLE_PRUNE_INTERVAL_MINUTES',
      get: (c) => c.pruneIntervalMinutes,
      unset: 60,
      valid: [['1', 1], ['10080', 10080]],
      invalid: [['10081', 'CRUCIBLE_PRUNE_INTERVAL_MINUTES must be an integer between 1 and 10080 (got "10081")']],
    },
  ]);
});
