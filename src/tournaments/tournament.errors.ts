import { DomainError } from '../common/domain-error';

export enum TournamentErrorCode {
  IllegalTransition = 'TOURNAMENT_ILLEGAL_TRANSITION',
  AlreadyActive = 'TOURNAMENT_ALREADY_ACTIVE',
  Busy = 'TOURNAMENT_BUSY',
}

export class TournamentError extends DomainError<TournamentErrorCode> {
  readonly status = 'conflict' as const;
  constructor(code: TournamentErrorCode, message: string) {
    super(code, message);
  }
}
