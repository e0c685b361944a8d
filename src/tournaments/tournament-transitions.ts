import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { assertTournamentTransition, TournamentState } from './tournament-state';
import type { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';

/**
 * The one place a tournament changes state (the engine's steps and the organiser's cancel): checked
 * against the state machine, saved, and audit-logged as `tournament.<state>` in the caller's transaction.
 */
@Injectable()
export class TournamentTransitions {
  private readonly logger = new Logger(TournamentTransitions.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async move(t: TournamentEntity, to: TournamentState, reason: string, payload: Record<string, unknown> = {}, actor: 'system' | 'admin' = 'system'): Promise<void> {
    assertTournamentTransition(t.state, to);
    const from = t.state;
    t.state = to;
    t.stateReason = reason;
    await this.tournaments.recordTransition(t);
    await this.audit.append({ actor, action: `tournament.${to}`, subjectType: 'tournament', subjectId: t.id, payload: { from, reason, ...payload }, occurredAt: this.clock.now() });
    this.logger.log({ tournamentId: t.id, from, to, reason }, 'tournament transition');
  }
}
