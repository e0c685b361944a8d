import { Injectable, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { HotkeyRegistry } from '../chain/hotkey-registry';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
import { Transactor } from '../common/transactor';
import { SubmissionError, SubmissionErrorCode } from './submissions.errors';
import { AppConfig } from '../config/app-config';
import { EntrantEntity } from './entrant.entity';
import { EntrantRepository } from './entrant.repository';
import { EntryWindows } from './entry-windows';
import { RepoIntake } from '../repo-intake/repo-intake';
import { buildSubmissionMessage, signatureCryptoReady, verifySubmissionSignature } from './signature';

export interface SubmissionInput {
  tournamentId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  signedAt: number;
  signature: string;
}

/** An entry read from the hotkey's commitment on the subnet (see chain-commitment.ts). */
export interface ChainEntryInput {
  tournamentId: string;
  hotkey: string;
  repoUrl: string;
  commitSha: string;
  /** Block the commitment was written in. */
  commitmentBlock: number;
  /** Block the worker read it at. */
  readAtBlock: number;
}

/** How an entry proves the hotkey wants it: a signed HTTP message, or the hotkey's own commitment extrinsic. */
type Provenance = { source: 'http'; signature: string } | { source: 'chain'; commitmentBlock: number; readAtBlock: number };

/** How far a signature's signed-at may be from now: bounds replays of an old signed message. */
export const SIGNATURE_WINDOW_SECONDS = 15 * 60;

/**
 * One use case: a miner's entry into a tournament, checked in the order DESIGN.md gives. A signed HTTP
 * submission and a chain commitment go through the same intake (admit); only the proof differs.
 */
@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    private readonly tx: Transactor,
    private readonly windows: EntryWindows,
    private readonly entrants: EntrantRepository,
    private readonly intake: RepoIntake,
    private readonly registry: HotkeyRegistry,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  submit(input: SubmissionInput): Promise<EntrantEntity> {
    return this.admit(input, { source: 'http', signature: input.signature }, async (now) => {
      if (Math.abs(now.getTime() / 1000 - input.signedAt) > SIGNATURE_WINDOW_SECONDS) {
        throw new SubmissionError(SubmissionErrorCode.SignatureExpired, `signedAt must be within ${SIGNATURE_WINDOW_SECONDS} s of the server's clock; sign again`, {
          fields: ['signedAt'],
        });
      }
      await signatureCryptoReady;
      const message = buildSubmissionMessage(input);
      if (!verifySubmissionSignature(message, input.signature, input.hotkey)) {
        throw new SubmissionError(SubmissionErrorCode.BadSignature, 'signature does not verify for this hotkey over the submission message (see README, "Signing a submission")', {
          fields: ['signature'],
        });
      }
      if (await this.entrants.signatureSeen(input.signature)) {
        throw new SubmissionError(SubmissionErrorCode.Replayed, 'this signature was already used; sign a new submission');
      }
    });
  }

  /** An entry from a chain commitment: every intake check of submit() except the HTTP signature. */
  enterFromChain(input: ChainEntryInput): Promise<EntrantEntity> {
    return this.admit(input, { source: 'chain', commitmentBlock: input.commitmentBlock, readAtBlock: input.readAtBlock }, async () => {});
  }

  /**
   * The intake both paths share: registration open, URL scheme, the proof (`authenticate`), hotkey
   * registered, one live entry per hotkey and coldkey, commit and repository checks, duplicate trees.
   */
  private async admit(
    claim: { tournamentId: string; hotkey: string; repoUrl: string; commitSha: string },
    provenance: Provenance,
    authenticate: (now: Date) => Promise<void>,
  ): Promise<EntrantEntity> {
    const now = this.clock.now();
    const tournament = await this.windows.find(claim.tournamentId);
    if (!tournament) throw new NotFoundError('tournament', claim.tournamentId);
    if (tournament.state !== 'registration' || now >= tournament.registrationClosesAt) {
      throw new SubmissionError(SubmissionErrorCode.RegistrationClosed, `tournament ${tournament.id} is not open for registration (state ${tournament.state})`);
    }
    const scheme = new URL(claim.repoUrl).protocol.replace(':', '');
    const allowed = this.config.sandbox.repo.allowInsecureSchemes ? ['https', 'http', 'file'] : ['https'];
    if (!allowed.includes(scheme)) {
      throw new SubmissionError(SubmissionErrorCode.SchemeNotAllowed, `repoUrl scheme ${scheme} is not allowed (allowed: ${allowed.join(', ')})`, {
        fields: ['repoUrl'],
      });
    }
    await authenticate(now);
    const neuron = await this.registry.lookup(claim.hotkey);
    if (!neuron) {
      throw new SubmissionError(SubmissionErrorCode.NotRegistered, `hotkey ${claim.hotkey} is not registered on subnet ${this.config.chain.netuid}`);
    }
    await this.assertNoLiveEntry(tournament.id, claim.hotkey, neuron.coldkey);

    const inspection = await this.intake.inspect(claim.repoUrl, claim.commitSha);
    const unsupported = tournament.taskTypes.filter((t) => !inspection.manifest.taskTypes.includes(t));
    if (unsupported.length) {
      throw new SubmissionError(SubmissionErrorCode.TaskTypeUnsupported, `crucible.json taskTypes must include ${unsupported.join(', ')} for a ${tournament.type} tournament`);
    }

    const base = {
      tournamentId: tournament.id,
      hotkey: claim.hotkey,
      coldkey: neuron.coldkey,
      uid: neuron.uid,
      repoUrl: claim.repoUrl,
      commitSha: claim.commitSha,
      treeHash: inspection.treeHash,
      source: provenance.source,
      signature: provenance.source === 'http' ? provenance.signature : null,
      commitmentBlock: provenance.source === 'chain' ? provenance.commitmentBlock : null,
      readAtBlock: provenance.source === 'chain' ? provenance.readAtBlock : null,
      receivedAt: now,
    };
    const owner = await this.entrants.findLive(tournament.id, { treeHash: inspection.treeHash });
    if (owner) {
      // The earlier submission owns the tree; the copy is kept on record with its reason.
      const reason = `duplicate of the code submitted earlier by ${owner.hotkey} (tree ${inspection.treeHash})`;
      await this.entrants.insert({ ...base, status: 'rejected', rejectionReason: reason });
      throw new SubmissionError(SubmissionErrorCode.DuplicateTree, reason, { ownerHotkey: owner.hotkey });
    }

    try {
      const entrant = await this.tx.run(async () => {
        const saved = await this.entrants.insert({ ...base, status: 'accepted', rejectionReason: null });
        await this.audit.append({ actor: `miner:${claim.hotkey}`, action: 'submission.accepted', subjectType: 'entrant', subjectId: saved.id, payload: { ...base, receivedAt: now.toISOString() }, occurredAt: now });
        return saved;
      });
      this.logger.log({ tournamentId: tournament.id, entrantId: entrant.id, hotkey: claim.hotkey, source: provenance.source }, 'submission accepted');
      return entrant;
    } catch (error) {
      // Two submissions raced past the checks: the unique index decides, the loser gets a 409.
      if (error instanceof QueryFailedError && /duplicate key/.test(error.message)) {
        if (/idx_entrants_signature/.test(error.message)) {
          throw new SubmissionError(SubmissionErrorCode.Replayed, 'this signature was already used; sign a new submission');
        }
        throw new SubmissionError(SubmissionErrorCode.AlreadyEntered, `hotkey ${claim.hotkey} already has a live entry in this tournament`);
      }
      throw error;
    }
  }

  async get(id: string): Promise<EntrantEntity> {
    const entrant = await this.entrants.findById(id);
    if (!entrant) throw new NotFoundError('submission', id);
    return entrant;
  }

  private async assertNoLiveEntry(tournamentId: string, hotkey: string, coldkey: string | null): Promise<void> {
    if (await this.entrants.findLive(tournamentId, { hotkey })) {
      throw new SubmissionError(SubmissionErrorCode.AlreadyEntered, `hotkey ${hotkey} already has a live entry in this tournament`);
    }
    if (coldkey && (await this.entrants.findLive(tournamentId, { coldkey }))) {
      throw new SubmissionError(SubmissionErrorCode.ColdkeyAlreadyEntered, `coldkey ${coldkey} already has a live entry in this tournament`);
    }
  }
}
