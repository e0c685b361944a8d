import type { EnvReader } from '../env-reader';

export interface AuditConfig {
  /** Days archived model files are kept (content-addressed by sha256), so a 7-day audit can re-evaluate them. */
  artifactRetentionDays: number;
}

export function readAuditConfig(r: EnvReader): AuditConfig {
  return { artifactRetentionDays: r.int('CRUCIBLE_ARTIFACT_RETENTION_DAYS', 8, 1, 3650) };
}
