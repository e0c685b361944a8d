import { describeVariables } from '../../../test/support/config-cases';
import { readAuditConfig, type AuditConfig } from './audit.config';

describe('audit config', () => {
  describeVariables<AuditConfig>(readAuditConfig, [
    {
      name: 'CRUCIBLE_ARTIFACT_RETENTION_DAYS',
      get: (c) => c.artifactRetentionDays,
      unset: 8,
      valid: [['1', 1], ['3650', 3650]],
      invalid: [
        ['0', 'CRUCIBLE_ARTIFACT_RETENTION_DAYS must be an integer between 1 and 3650 (got "0")'],
        ['3651', 'CRUCIBLE_ARTIFACT_RETENTION_DAYS must be an integer between 1 and 3650 (got "3651")'],
      ],
    },
  ]);
});
