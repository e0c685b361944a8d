import { DomainError, type ErrorStatus } from '../common/domain-error';

export enum RepoIntakeErrorCode {
  InvalidUrl = 'REPO_INVALID_URL',
  InvalidCommit = 'REPO_INVALID_COMMIT',
  CommitNotFound = 'REPO_COMMIT_NOT_FOUND',
  FetchFailed = 'REPO_FETCH_FAILED',
  ManifestMissing = 'REPO_MANIFEST_MISSING',
  ManifestInvalid = 'REPO_MANIFEST_INVALID',
  TooLarge = 'REPO_TOO_LARGE',
  Submodules = 'REPO_SUBMODULES',
  LfsPointers = 'REPO_LFS',
  /** Entries the worker cannot write out: names, lengths, links, special files. */
  Unstorable = 'REPO_UNSTORABLE',
  /** Objects that fail git's own integrity checks (fsck). */
  Corrupt = 'REPO_CORRUPT',
}

const STATUS: Record<RepoIntakeErrorCode, ErrorStatus> = {
  [RepoIntakeErrorCode.InvalidUrl]: 'bad_request',
  [RepoIntakeErrorCode.InvalidCommit]: 'bad_request',
  [RepoIntakeErrorCode.CommitNotFound]: 'unprocessable',
  // The repo host (or our network) failed: not the miner's fault, the caller may retry.
  [RepoIntakeErrorCode.FetchFailed]: 'unavailable',
  [RepoIntakeErrorCode.ManifestMissing]: 'unprocessable',
  [RepoIntakeErrorCode.ManifestInvalid]: 'unprocessable',
  [RepoIntakeErrorCode.TooLarge]: 'unprocessable',
  [RepoIntakeErrorCode.Submodules]: 'unprocessable',
  [RepoIntakeErrorCode.LfsPointers]: 'unprocessable',
  [RepoIntakeErrorCode.Unstorable]: 'unprocessable',
  [RepoIntakeErrorCode.Corrupt]: 'unprocessable',
};

export class RepoIntakeError extends DomainError<RepoIntakeErrorCode> {
  readonly status: ErrorStatus;
  constructor(
    code: RepoIntakeErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
    this.status = STATUS[code];
  }

  /** True when the repository's content is at fault (not the network or the host). */
  get minerFault(): boolean {
    return this.code !== RepoIntakeErrorCode.FetchFailed;
  }
}

/** A git command that failed or timed out; GitRepoIntake turns it into a RepoIntakeError with a code. */
export class GitCommandError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    /** Killed by the timeout. */
    readonly killed = false,
  ) {
    super(message);
  }
}
