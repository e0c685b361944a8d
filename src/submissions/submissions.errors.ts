import { DomainError, type ErrorStatus } from '../common/domain-error';

export enum SubmissionErrorCode {
  RegistrationClosed = 'SUBMISSION_REGISTRATION_CLOSED',
  SchemeNotAllowed = 'SUBMISSION_SCHEME_NOT_ALLOWED',
  SignatureExpired = 'SUBMISSION_SIGNATURE_EXPIRED',
  BadSignature = 'SUBMISSION_BAD_SIGNATURE',
  Replayed = 'SUBMISSION_REPLAYED',
  NotRegistered = 'SUBMISSION_HOTKEY_NOT_REGISTERED',
  AlreadyEntered = 'SUBMISSION_ALREADY_ENTERED',
  ColdkeyAlreadyEntered = 'SUBMISSION_COLDKEY_ALREADY_ENTERED',
  DuplicateTree = 'SUBMISSION_DUPLICATE_TREE',
  TaskTypeUnsupported = 'SUBMISSION_TASK_TYPE_UNSUPPORTED',
}

const STATUS: Record<SubmissionErrorCode, ErrorStatus> = {
  [SubmissionErrorCode.RegistrationClosed]: 'conflict',
  [SubmissionErrorCode.SchemeNotAllowed]: 'bad_request',
  [SubmissionErrorCode.SignatureExpired]: 'bad_request',
  [SubmissionErrorCode.BadSignature]: 'unauthorized',
  [SubmissionErrorCode.Replayed]: 'conflict',
  [SubmissionErrorCode.NotRegistered]: 'forbidden',
  [SubmissionErrorCode.AlreadyEntered]: 'conflict',
  [SubmissionErrorCode.ColdkeyAlreadyEntered]: 'conflict',
  [SubmissionErrorCode.DuplicateTree]: 'conflict',
  [SubmissionErrorCode.TaskTypeUnsupported]: 'unprocessable',
};

export class SubmissionError extends DomainError<SubmissionErrorCode> {
  readonly status: ErrorStatus;
  constructor(code: SubmissionErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.status = STATUS[code];
  }
}
