import { DomainError } from '../common/domain-error';

export enum SandboxErrorCode {
  /** The engine or API server failed or is unreachable. */
  EngineFailed = 'SANDBOX_ENGINE_FAILED',
  /** The sandbox image is not present (build or pull it). */
  ImageMissing = 'SANDBOX_IMAGE_MISSING',
}

/** Engine/API failure: never the miner's fault; the run ends infra_failed and is retried. */
export class SandboxInfraError extends DomainError<SandboxErrorCode> {
  readonly status = 'unavailable' as const;
  constructor(message: string, options?: { cause?: unknown; code?: SandboxErrorCode }) {
    super(options?.code ?? SandboxErrorCode.EngineFailed, message, undefined, options);
  }
}
