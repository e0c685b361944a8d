import { Module } from '@nestjs/common';
import { ArtifactsController } from './audit/artifacts.controller';
import { AuditController } from './audit/audit.controller';
import { AuditModule } from './audit/audit.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { AdminGuard } from './common/admin.guard';
import { EventsModule } from './events/events.module';
import { RunLogsModule } from './runs/run-logs.module';
import { RunsController } from './runs/runs.controller';
import { SubmissionsController } from './submissions/submissions.controller';
import { SubmissionsModule } from './submissions/submissions.module';
import { TournamentAdminService } from './tournaments/tournament-admin.service';
import { LeaderboardService } from './tournaments/leaderboard.service';
import { TournamentQueriesService } from './tournaments/tournament-queries.service';
import { TournamentsController } from './tournaments/tournaments.controller';
import { TournamentsModule } from './tournaments/tournaments.module';
import { WeightsController } from './tournaments/weights.controller';
import { ScheduleController } from './tournaments/schedule.controller';
import { ScheduleService } from './tournaments/schedule.service';

/**
 * The HTTP API: reads, submission checks and admin writes. It holds no key and builds no worker
 * machinery (no chain client, bundle signer, sandbox, evaluator or engine): test/integration/roles.spec.ts.
 */
@Module({
  imports: [SubmissionsModule, TournamentsModule, AuditModule, DashboardModule, EventsModule, RunLogsModule],
  controllers: [TournamentsController, RunsController, SubmissionsController, WeightsController, ScheduleController, AuditController, ArtifactsController],
  providers: [TournamentQueriesService, LeaderboardService, TournamentAdminService, AdminGuard, ScheduleService],
})
export class ApiModule {}
