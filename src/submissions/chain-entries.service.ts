import { Injectable, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ChainClient, Commitment } from '../chain/chain-client';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { parseChainEntry } from './chain-commitment';
import { EntrantRepository } from './entrant.repository';
import { EntryWindow, EntryWindows } from './entry-windows';
import { RepoIntakeError } from '../repo-intake/repo-intake.errors';
import { SubmissionError, SubmissionErrorCode } from './submissions.errors';
import { SubmissionsService } from './submissions.service';

export interface ChainEntriesPass {
  /** Block the commitments were read at; null when no tournament was open (nothing read). */
  block: number | null;
  entered: number;
  rejected: number;
  ignored: number;
}

/**
 * One use case: while a tournament's registration is open, each hotkey's commitment of the form
 * `crucible:v1:<repo URL>@<commit>` becomes an entry through the same intake as a signed submission.
 * Each commitment (hotkey, block) is decided once per tournament: accepted or rejected, it leaves a
 * row that the next read finds (a unique index makes a second worker's read a no-op). Malformed text
 * leaves no row; it is logged once per process and skipped on later reads.
 */
@Injectable()
export class ChainEntriesService {
  private readonly logger = new Logger(ChainEntriesService.name);
  /** tournament:hotkey@block of commitments already logged as ignored or waiting, so each is logged once. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly chain: ChainClient,
    private readonly windows: EntryWindows,
    private readonly entrants: EntrantRepository,
    private readonly submissions: SubmissionsService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async enterOpenTournaments(): Promise<ChainEntriesPass> {
    const pass: ChainEntriesPass = { block: null, entered: 0, rejected: 0, ignored: 0 };
    const open = await this.windows.allOpen(this.clock.now());
    if (open.length === 0) return pass;
    const read = await this.chain.commitments(this.config.chain.netuid);
    pass.block = read.block;
    // Earlier commitments first: when two carry the same tree, the earlier one owns it.
    const commitments = [...read.commitments].sort((a, b) => a.block - b.block || (a.hotkey < b.hotkey ? -1 : a.hotkey > b.hotkey ? 1 : 0));
    for (const tournament of open) {
      const seen = await this.entrants.commitmentsSeen(tournament.id);
      for (const commitment of commitments) {
        if (seen.has(`${commitment.hotkey}@${commitment.block}`)) continue;
        const outcome = await this.consider(tournament, commitment, read.block);
        if (outcome !== 'seen' && outcome !== 'later') pass[outcome] += 1;
      }
    }
    return pass;
  }

  private async consider(t: EntryWindow, c: Commitment, readAtBlock: number): Promise<'entered' | 'rejected' | 'ignored' | 'seen' | 'later'> {
    const key = `${t.id}:${c.hotkey}@${c.block}`;
    const fields = { tournamentId: t.id, hotkey: c.hotkey, commitmentBlock: c.block, readAtBlock };
    const parsed = c.data === null ? { ok: false as const, reason: 'commitment is a hash field, not text' } : parseChainEntry(c.data);
    if (!parsed.ok) {
      this.logOnce(key, 'warn', { ...fields, reason: parsed.reason }, 'chain commitment ignored');
      return 'ignored';
    }
    const entry = { ...fields, repoUrl: parsed.repoUrl, commitSha: parsed.commitSha };
    try {
      await this.submissions.enterFromChain(entry);
      return 'entered';
    } catch (error) {
      if (error instanceof QueryFailedError && /duplicate key/.test(error.message)) return 'seen'; // another worker recorded it first
      if (!decidedByMiner(error)) {
        // Not the miner's doing, or it may change (hotkey not in the metagraph cache yet, repo host down): read it again next tick.
        this.logOnce(`${key}:later`, 'warn', { ...fields, error: error instanceof Error ? error.message : String(error) }, 'chain entry not decided; retrying next tick');
        return 'later';
      }
      const reason = error.message;
      // A duplicate tree is already on record by the intake; every other refusal is recorded here.
      if (!(error instanceof SubmissionError && error.code === SubmissionErrorCode.DuplicateTree)) {
        await this.entrants.recordRejectedCommitment({ ...entry, coldkey: null, uid: null, treeHash: null, signature: null, isChampion: false, rejectionReason: reason, receivedAt: this.clock.now() });
      }
      this.logger.warn({ ...fields, code: error.code, reason }, 'chain entry rejected');
      return 'rejected';
    }
  }

  private logOnce(key: string, level: 'warn', fields: Record<string, unknown>, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.logger[level](fields, message);
  }
}

/** Refusals that are final for this commitment: the miner's repository or entry is at fault. */
function decidedByMiner(error: unknown): error is RepoIntakeError | SubmissionError {
  if (error instanceof RepoIntakeError) return error.minerFault;
  if (error instanceof SubmissionError) return error.code !== SubmissionErrorCode.NotRegistered && error.code !== SubmissionErrorCode.RegistrationClosed;
  return false;
}
