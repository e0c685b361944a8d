import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { RunRepository } from '../runs/run.repository';
import { ScoreRepository } from '../runs/score.repository';
import { EntrantRepository } from '../submissions/entrant.repository';
import { assertTournamentTransition, TournamentState } from './tournament-state';
import type { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';

/** The one way a tournament changes state: checked against the state machine and audit-logged. */
@Injectable()
export class TournamentTransitions {
  private readonly logger = new Logger(TournamentTransitions.name);

  constructor(
    private readonly tournaments: TournamentRepository,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async move(t: TournamentEntity, to: TournamentState, reason: string, m: EntityManager, payload: Record<string, unknown> = {}): Promise<void> {
    assertTournamentTransition(t.state, to);
    const from = t.state;
    t.state = to;
    t.stateReason = reason;
    await this.tournaments.save(t, m);
    await this.audit.append(
      { actor: 'system', action: `tournament.${to}`, subjectType: 'tournament', subjectId: t.id, payload: { from, reason, ...payload }, occurredAt: this.clock.now() },
      m,
    );
    this.logger.log({ tournamentId: t.id, from, to, reason }, 'tournament transition');
  }
}

/** Everything the engine collaborates with, grouped so the engine's constructor stays readable. */
@Injectable()
export class EngineDeps {
  constructor(
    readonly ds: DataSource,
    readonly tournaments: TournamentRepository,
    readonly entrants: EntrantRepository,
    readonly runs: RunRepository,
    readonly scores: ScoreRepository,
    readonly audit: AuditLog,
    readonly transitions: TournamentTransitions,
    readonly config: AppConfig,
  ) {}
}

