import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AdminGuard } from './common/admin.guard';
import { RunsController } from './runs/runs.controller';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsModule } from './submissions/submissions.module';
import { TournamentAdminService } from './tournaments/tournament-admin.service';
import { TournamentQueriesService } from './tournaments/tournament-queries.service';
import { TournamentsController } from './tournaments/tournaments.controller';
import { TournamentsModule } from './tournaments/tournaments.module';
import { WeightsController } from './tournaments/weights.controller';
import { ScheduleController } from './tournaments/schedule.controller';
import { ScheduleService } from './tournaments/schedule.service';

@Module({
  imports: [SubmissionsModule, TournamentsModule, AuditModule],
  controllers: [TournamentsController, RunsController, SubmissionsController, WeightsController, ScheduleController],
  providers: [TournamentQueriesService, TournamentAdminService, AdminGuard, ScheduleService],
})
export class ApiModule {}
