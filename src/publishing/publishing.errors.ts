import { DomainError, ErrorStatus } from '../common/domain-error';

export enum PublishingErrorCode {
  NotConfigured = 'PUBLISHING_NOT_CONFIGURED',
  GitFailed = 'PUBLISHING_GIT_FAILED',
  GithubApi = 'PUBLISHING_GITHUB_API_FAILED',
  /** The target already holds a different object under the tag or branch: never force-pushed. */
  Conflict = 'PUBLISHING_CONFLICT',
}

export class PublishingError extends DomainError<PublishingErrorCode> {
  readonly status: ErrorStatus;
  constructor(code: PublishingErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.status = code === PublishingErrorCode.Conflict ? 'conflict' : code === PublishingErrorCode.NotConfigured ? 'unavailable' : 'internal';
  }
}
