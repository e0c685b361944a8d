/**
 * Every feature throws a DomainError subclass with a code from its own enum (`DomainError<FeatureErrorCode>`,
 * so `error.code` is typed by the feature). One HTTP filter maps the code's status class to a response;
 * workers never throw HTTP exceptions.
 */
export type ErrorStatus =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

export abstract class DomainError<C extends string = string> extends Error {
  abstract readonly status: ErrorStatus;

  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  Validation = 'VALIDATION_FAILED',
  Unauthorized = 'UNAUTHORIZED',
}

export class NotFoundError extends DomainError<CommonErrorCode> {
  readonly status = 'not_found' as const;
  constructor(what: string, id: string) {
    super(CommonErrorCode.NotFound, `${what} ${id} not found`, { what, id });
  }
}

export class ValidationError extends DomainError<CommonErrorCode> {
  readonly status = 'bad_request' as const;
  constructor(message: string, readonly fields: string[] = []) {
    super(CommonErrorCode.Validation, message, { fields });
  }
}

export class UnauthorizedError extends DomainError<CommonErrorCode> {
  readonly status = 'unauthorized' as const;
  constructor(message = 'a valid admin bearer token is required') {
    super(CommonErrorCode.Unauthorized, message);
  }
}
