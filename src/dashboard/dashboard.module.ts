import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { TournamentsModule } from '../tournaments/tournaments.module';
import { TournamentQueriesService } from '../tournaments/tournament-queries.service';
import { AuditRecomputeService } from './audit-recompute.service';
import { DashboardQueriesService } from './dashboard-queries.service';
import { DashboardReadRepository } from './dashboard-read.repository';
import { DashboardController } from './dashboard.controller';
import { webAssets } from './web-assets';

/**
 * The web dashboard on the API role: its read-only query routes, and the built pages at `/`
 * (same origin as /api). The pages are mounted at module init, which Nest runs after it registered
 * every controller's routes and before its 404 handler.
 */
@Module({
  imports: [TournamentsModule],
  controllers: [DashboardController],
  providers: [DashboardReadRepository, DashboardQueriesService, AuditRecomputeService, TournamentQueriesService],
})
export class DashboardModule implements OnModuleInit {
  private readonly logger = new Logger(DashboardModule.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const dir = this.config.webDir;
    const handler = webAssets(dir);
    if (!handler) {
      this.logger.warn(`no dashboard at ${dir} (run npm run build); / is not served`);
      return;
    }
    this.adapterHost.httpAdapter.use(handler);
  }
}
