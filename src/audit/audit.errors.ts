import { DomainError } from '../common/domain-error';

export enum AuditErrorCode {
  ArtifactUnknown = 'ARTIFACT_UNKNOWN',
  ArtifactNotRevealed = 'ARTIFACT_NOT_REVEALED',
  ArtifactNotArchived = 'ARTIFACT_NOT_ARCHIVED',
}

/** An archived model that cannot be served (yet, or any more); the message says why. */
export class ArtifactUnavailableError extends DomainError {
  readonly status = 'not_found' as const;
  constructor(code: AuditErrorCode, message: string, sha256: string) {
    super(code, message, { sha256 });
  }
}
