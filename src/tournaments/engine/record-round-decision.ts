import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../../common/audit-log';
import { pauseAfterCommit } from '../../common/pause-point';
import type { StuckRun } from '../round-results';
import type { RoundEntity } from '../round.entity';
import type { TournamentEntity } from '../tournament.entity';
import { TournamentRepository } from '../tournament.repository';

/** Marks a round decided and audit-logs its decision, and, loudly, the runs it was decided without. */
@Injectable()
export class RecordRoundDecision {
  private readonly logger = new Logger(RecordRoundDecision.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly audit: AuditLog,
  ) {}

  async run(t: TournamentEntity, round: RoundEntity, given: { up: StuckRun[]; why: string }, now: Date): Promise<void> {
    if (given.up.length > 0) {
      // Decided without some results: the organiser hears of it, and the auditor reads why.
      const givenUp = given.up.map((s) => ({ taskId: s.taskId, entrantId: s.entrantId, attempt: s.attempt, infraFailures: s.infraFailures, reason: s.reason }));
      round.decision = { ...round.decision, givenUp, givenUpReason: given.why };
      await this.audit.append(
        { actor: 'system', action: 'round.decided_without_results', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, reason: given.why, givenUp }, occurredAt: now },
      );
      this.logger.error({ tournamentId: t.id, round: round.index, reason: given.why, runs: givenUp.length }, 'ALERT: round decided without the results of runs that failed for infrastructure reasons');
    }
    pauseAfterCommit('round-decided');
    await this.tournaments.markRoundDecided(round, now);
    await this.audit.append(
      { actor: 'system', action: 'round.decided', subjectType: 'round', subjectId: round.id, payload: { tournamentId: t.id, index: round.index, kind: round.kind, decision: round.decision }, occurredAt: now },
    );
    this.logger.log({ tournamentId: t.id, round: round.index, kind: round.kind, advancing: round.advancing }, 'round decided');
  }
}
