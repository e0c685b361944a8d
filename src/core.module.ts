import { Global, Module } from '@nestjs/common';
import { AuditEventRepository } from './audit/audit-event.repository';
import { AuditLog } from './common/audit-log';
import { Clock, SystemClock } from './common/clock';
import { RunRepository } from './runs/run.repository';
import { ScoreRepository } from './runs/score.repository';
import { EntrantRepository } from './submissions/entrant.repository';
import { StandingsRepository } from './tournaments/standings.repository';
import { TournamentRepository } from './tournaments/tournament.repository';

/** Repositories and the clock, shared by the API and the worker. */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    TournamentRepository,
    EntrantRepository,
    RunRepository,
    ScoreRepository,
    StandingsRepository,
    AuditEventRepository,
    { provide: AuditLog, useExisting: AuditEventRepository },
  ],
  exports: [Clock, TournamentRepository, EntrantRepository, RunRepository, ScoreRepository, StandingsRepository, AuditEventRepository, AuditLog],
})
export class CoreModule {}
