import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
import { Transactor } from '../common/transactor';
import { TournamentError, TournamentErrorCode } from './tournament.errors';
import { TournamentEntity } from './tournament.entity';
import { TournamentRepository } from './tournament.repository';
import { canTransitionTournament } from './tournament-state';
import { TournamentFactory } from './tournament.factory';
import { TournamentTransitions } from './tournament-transitions';

/** Explicit organiser actions; every one is audit-logged. */
@Injectable()
export class TournamentAdminService {
  private readonly logger = new Logger(TournamentAdminService.name);

  constructor(
    private readonly tx: Transactor,
    private readonly tournaments: TournamentRepository,
    private readonly factory: TournamentFactory,
    private readonly audit: AuditLog,
    private readonly transitions: TournamentTransitions,
    private readonly clock: Clock,
  ) {}

  async create(input: { type: string; registrationOpensAt?: string; registrationMinutes?: number }): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const active = await this.tournaments.activeOfType(input.type);
      if (active) {
        throw new TournamentError(TournamentErrorCode.AlreadyActive, `tournament ${active.id} of type ${input.type} is still ${active.state}`);
      }
      const created = await this.factory.createNextCycle({
        type: input.type,
        opensAt: input.registrationOpensAt ? new Date(input.registrationOpensAt) : now,
        registrationMinutes: input.registrationMinutes,
      });
      await this.audit.append({ actor: 'admin', action: 'tournament.created', subjectType: 'tournament', subjectId: created.id, payload: { ...input }, occurredAt: now });
      this.logger.log({ tournamentId: created.id, type: created.type, cycle: created.cycle }, 'tournament created by admin');
      return created;
    });
  }

  /** Ends the registration window now (the next scheduler tick starts the rounds). */
  async closeRegistration(id: string): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const t = await this.lockExisting(id);
      if (t.state !== 'registration' && t.state !== 'scheduled') {
        throw new TournamentError(TournamentErrorCode.IllegalTransition, `registration of a tournament in state ${t.state} cannot be closed`);
      }
      const before = t.registrationClosesAt;
      await this.tournaments.closeRegistrationAt(t, now);
      await this.audit.append({ actor: 'admin', action: 'tournament.registration_closed_early', subjectType: 'tournament', subjectId: id, payload: { was: before.toISOString() }, occurredAt: now });
      return t;
    });
  }

  async cancel(id: string, reason: string): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const t = await this.lockExisting(id);
      if (!canTransitionTournament(t.state, 'cancelled')) {
        throw new TournamentError(TournamentErrorCode.IllegalTransition, `a tournament in state ${t.state} cannot be cancelled`);
      }
      const from = t.state;
      t.finishedAt = now;
      await this.transitions.move(t, 'cancelled', `cancelled by admin: ${reason}`, { reason }, 'admin');
      this.logger.warn({ tournamentId: id, from, reason }, 'tournament cancelled by admin');
      return t;
    });
  }

  private async lockExisting(id: string): Promise<TournamentEntity> {
    if (!(await this.tournaments.findById(id))) throw new NotFoundError('tournament', id);
    const t = await this.tournaments.lockForUpdate(id);
    if (!t) throw new TournamentError(TournamentErrorCode.Busy, 'the tournament is being advanced right now; retry in a moment');
    return t;
  }
}
