import { DomainError } from '../common/domain-error';

export enum AuditErrorCode {
  ArtifactUnknown = 'ARTIFACT_UNKNOWN',
  ArtifactNotRevealed = 'ARTIFACT_NOT_REVEALED',
  ArtifactNotArchived = 'ARTIFACT_NOT_ARCHIVED',
  SignerUnpublished = 'AUDIT_SIGNER_UNPUBLISHED',
}

/** An archived model that cannot be served (yet, or any more); the message says why. */
export class ArtifactUnavailableError extends DomainError<AuditErrorCode> {
  readonly status = 'not_found' as const;
  constructor(code: AuditErrorCode, message: string, sha256: string) {
    super(code, message, { sha256 });
  }
}

/** No worker has published the key that signs bundles yet (the API holds no key of its own). */
export class SignerUnpublishedError extends DomainError<AuditErrorCode> {
  readonly status = 'not_found' as const;
  constructor() {
    super(AuditErrorCode.SignerUnpublished, 'no worker has published its bundle signer yet (a worker publishes it when it starts)');
  }
}
