import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from '../common/audit-log';
import { Clock } from '../common/clock';
import { NotFoundError } from '../common/domain-error';
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
    private readonly ds: DataSource,
    private readonly tournaments: TournamentRepository,
    private readonly factory: TournamentFactory,
    private readonly audit: AuditLog,
    private readonly transitions: TournamentTransitions,
    private readonly clock: Clock,
  ) {}

  async create(input: { type: string; registrationOpensAt?: string; registrationMinutes?: number }): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.ds.transaction(async (manager) => {
      const active = await this.tournaments.activeOfType(input.type, manager);
      if (active) {
        throw new TournamentError(TournamentErrorCode.AlreadyActive, `tournament ${active.id} of type ${input.type} is still ${active.state}`);
      }
      const created = await this.factory.createNextCycle(
        { type: input.type, opensAt: input.registrationOpensAt ? new Date(input.registrationOpensAt) : now, registrationMinutes: input.registrationMinutes },
        manager,
      );
      await this.audit.append(
        { actor: 'admin', action: 'tournament.created', subjectType: 'tournament', subjectId: created.id, payload: { ...input }, occurredAt: now },
        manager,
      );
      this.logger.log({ tournamentId: created.id, type: created.type, cycle: created.cycle }, 'tournament created by admin');
      return created;
    });
  }

  /** Ends the registration window now (the next scheduler tick starts the rounds). */
  async closeRegistration(id: string): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.ds.transaction(async (manager) => {
      const t = await this.lockExisting(id, manager);
      if (t.state !== 'registration' && t.state !== 'scheduled') {
        throw new TournamentError(TournamentErrorCode.IllegalTransition, `registration of a tournament in state ${t.state} cannot be closed`);
      }
      const before = t.registrationClosesAt;
      if (t.registrationOpensAt > now) t.registrationOpensAt = now;
      t.registrationClosesAt = now;
      await this.tournaments.save(t, manager);
      await this.audit.append(
        { actor: 'admin', action: 'tournament.registration_closed_early', subjectType: 'tournament', subjectId: id, payload: { was: before.toISOString() }, occurredAt: now },
        manager,
      );
      return t;
    });
  }

  async cancel(id: string, reason: string): Promise<TournamentEntity> {
    const now = this.clock.now();
    return this.ds.transaction(async (manager) => {
      const t = await this.lockExisting(id, manager);
      if (!canTransitionTournament(t.state, 'cancelled')) {
        throw new TournamentError(TournamentErrorCode.IllegalTransition, `a tournament in state ${t.state} cannot be cancelled`);
      }
      const from = t.state;
      t.finishedAt = now;
      await this.transitions.move(t, 'cancelled', `cancelled by admin: ${reason}`, manager, { reason }, 'admin');
      this.logger.warn({ tournamentId: id, from, reason }, 'tournament cancelled by admin');
      return t;
    });
  }

  private async lockExisting(id: string, manager: EntityManager): Promise<TournamentEntity> {
    if (!(await this.tournaments.findById(id, manager))) throw new NotFoundError('tournament', id);
    const t = await this.tournaments.lockForUpdate(id, manager);
    if (!t) throw new TournamentError(TournamentErrorCode.Busy, 'the tournament is being advanced right now; retry in a moment');
    return t;
  }
}
