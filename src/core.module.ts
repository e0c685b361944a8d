import { Global, Module } from '@nestjs/common';
import { AuditEventRepository } from './audit/audit-event.repository';
import { AuditLog } from './common/audit-log';
import { Clock, SystemClock } from './common/clock';
import { RunRepository } from './runs/run.repository';
import { ScoreRepository } from './runs/score.repository';
import { EntrantRepository } from './submissions/entrant.repository';
import { EntryWindows } from './submissions/entry-windows';
import { StandingsRepository } from './tournaments/standings.repository';
import { TournamentEntryWindows } from './tournaments/tournament-entry-windows';
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
    { provide: EntryWindows, useClass: TournamentEntryWindows },
  ],
  exports: [Clock, TournamentRepository, EntrantRepository, RunRepository, ScoreRepository, StandingsRepository, AuditEventRepository, AuditLog, EntryWindows],
})
export class CoreModule {}
