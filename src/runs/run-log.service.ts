import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { signatureCryptoReady, verifySubmissionSignature } from '../submissions/signature';
import { redactSecrets } from './log-redaction';
import { configuredSecrets } from './log-secrets';
import { RunLogError, RunLogErrorCode } from './run-log.errors';
import { RunLogRepository } from './run-log.repository';

/** How long a log challenge stays usable. */
export const LOG_CHALLENGE_TTL_MS = 120_000;

/** The bytes a miner signs to read a run's log early: bound to this purpose and this run. */
export function logChallengeText(runId: string, nonce: string): string {
  return `crucible-log-v1:${runId}:${nonce}`;
}

export interface LogSignature {
  hotkey?: string;
  challenge?: string;
  signature?: string;
}

/**
 * Who may read a run's log: anyone once its round is decided (no competitor reads another's
 * approach mid-round); before, only the entry's hotkey, by signing a single-use challenge.
 */
@Injectable()
export class RunLogService {
  private readonly secrets: string[];

  constructor(
    private readonly logs: RunLogRepository,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.secrets = configuredSecrets(config);
  }

  async challenge(runId: string): Promise<{ challenge: string; expiresAt: Date }> {
    if (!(await this.logs.runExists(runId))) throw new NotFoundError('run', runId);
    const now = this.clock.now();
    const entry = { challenge: logChallengeText(runId, randomBytes(24).toString('hex')), runId, expiresAt: new Date(now.getTime() + LOG_CHALLENGE_TTL_MS) };
    await this.logs.issue(entry, now);
    return { challenge: entry.challenge, expiresAt: entry.expiresAt };
  }

  /** The run's log, redacted; empty while the sandbox has not left one. */
  async read(runId: string, signed: LogSignature): Promise<{ text: string; public: boolean }> {
    const view = await this.logs.view(runId);
    if (!view) throw new NotFoundError('run', runId);
    if (!view.roundDecided) await this.checkOwner(runId, view.hotkey, signed);
    return { text: redactSecrets(view.log ?? '', this.secrets), public: view.roundDecided };
  }

  private async checkOwner(runId: string, owner: string, signed: LogSignature): Promise<void> {
    if (!signed.hotkey || !signed.challenge || !signed.signature) {
      throw new RunLogError(
        RunLogErrorCode.NotPublic,
        "the run's round is not decided: only the entry's hotkey may read its log, signing a challenge from POST /api/runs/:id/log/challenge (X-Crucible-Hotkey, X-Crucible-Challenge, X-Crucible-Signature)",
      );
    }
    const issued = await this.logs.consume(signed.challenge, runId);
    if (!issued) throw new RunLogError(RunLogErrorCode.ChallengeUnknown, 'unknown or already used challenge: request a new one');
    if (issued.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new RunLogError(RunLogErrorCode.ChallengeExpired, 'the challenge expired: request a new one', { expiresAt: issued.expiresAt.toISOString() });
    }
    await signatureCryptoReady;
    if (!verifySubmissionSignature(signed.challenge, signed.signature, signed.hotkey)) {
      throw new RunLogError(RunLogErrorCode.SignatureInvalid, 'the signature is not an sr25519 signature of the challenge by X-Crucible-Hotkey');
    }
    if (signed.hotkey !== owner) throw new RunLogError(RunLogErrorCode.NotOwner, "the signing hotkey does not own this run's entry", { hotkey: signed.hotkey });
  }
}
