import { DomainError, ErrorStatus } from '../common/domain-error';

export enum RunLogErrorCode {
  /** The round is not decided and the request is not signed by the entry's hotkey. */
  NotPublic = 'LOG_NOT_PUBLIC',
  ChallengeUnknown = 'LOG_CHALLENGE_UNKNOWN',
  ChallengeExpired = 'LOG_CHALLENGE_EXPIRED',
  SignatureInvalid = 'LOG_SIGNATURE_INVALID',
  /** A valid signature, but by a hotkey that does not own the run's entry. */
  NotOwner = 'LOG_NOT_OWNER',
}

const STATUS: Record<RunLogErrorCode, ErrorStatus> = {
  [RunLogErrorCode.NotPublic]: 'unauthorized',
  [RunLogErrorCode.ChallengeUnknown]: 'unauthorized',
  [RunLogErrorCode.ChallengeExpired]: 'unauthorized',
  [RunLogErrorCode.SignatureInvalid]: 'unauthorized',
  [RunLogErrorCode.NotOwner]: 'forbidden',
};

export class RunLogError extends DomainError<RunLogErrorCode> {
  readonly status: ErrorStatus;
  constructor(code: RunLogErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.status = STATUS[code];
  }
}
