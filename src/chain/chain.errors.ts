import { DomainError, ErrorStatus } from '../common/domain-error';

export enum ChainErrorCode {
  NotConfigured = 'CHAIN_NOT_CONFIGURED',
  Unavailable = 'CHAIN_UNAVAILABLE',
  /** The runtime refused the extrinsic (dispatch error); details.error names it, e.g. "SettingWeightsTooFast". */
  ExtrinsicFailed = 'CHAIN_EXTRINSIC_FAILED',
  /** The extrinsic was not included in time (dropped, invalid, usurped or timed out). */
  NotIncluded = 'CHAIN_NOT_INCLUDED',
  Wallet = 'CHAIN_WALLET_INVALID',
  NotRegistered = 'CHAIN_HOTKEY_NOT_REGISTERED',
  InvalidWeights = 'CHAIN_INVALID_WEIGHTS',
  RevealNotOpen = 'CHAIN_REVEAL_NOT_OPEN',
}

const STATUS: Record<ChainErrorCode, ErrorStatus> = {
  [ChainErrorCode.NotConfigured]: 'unavailable',
  [ChainErrorCode.Unavailable]: 'unavailable',
  [ChainErrorCode.ExtrinsicFailed]: 'unprocessable',
  [ChainErrorCode.NotIncluded]: 'unavailable',
  [ChainErrorCode.Wallet]: 'internal',
  [ChainErrorCode.NotRegistered]: 'forbidden',
  [ChainErrorCode.InvalidWeights]: 'bad_request',
  [ChainErrorCode.RevealNotOpen]: 'conflict',
};

export class ChainError extends DomainError<ChainErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: ChainErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
    this.status = STATUS[code];
  }

  /** Runtime error name for ExtrinsicFailed, e.g. "subtensorModule.SettingWeightsTooFast". */
  get runtimeError(): string | undefined {
    const e = this.details?.error;
    return typeof e === 'string' ? e : undefined;
  }
}

/**
 * Runtime errors that no retry can fix: the organiser has to act (stake, permit, version key,
 * registration). Everything else (connection, rate limit, pool rejections) is retried with backoff.
 */
const PERMANENT = new Set([
  'IncorrectWeightVersionKey',
  'NeuronNoValidatorPermit',
  'HotKeyNotRegisteredInSubNet',
  'HotKeyNotRegisteredInNetwork',
  'NotEnoughStakeToSetWeights',
  'WeightVecNotEqualSize',
  'DuplicateUids',
  'UidVecContainInvalidOne',
  'WeightVecLengthIsLow',
  'MaxWeightExceeded',
  'UidsLengthExceedUidsInSubNet',
  'SubNetworkDoesNotExist',
  'CommitRevealDisabled',
  'CommitRevealEnabled',
  'InvalidRevealCommitHashNotMatch',
  'NoWeightsCommitFound',
  'ExpiredWeightCommit',
  'TooManyUnrevealedCommits',
]);

export function isPermanentChainError(error: unknown): boolean {
  if (!(error instanceof ChainError)) return false;
  if (error.code === ChainErrorCode.Wallet || error.code === ChainErrorCode.InvalidWeights || error.code === ChainErrorCode.NotRegistered) {
    return true;
  }
  const name = error.runtimeError?.split('.').pop();
  return name !== undefined && PERMANENT.has(name);
}
