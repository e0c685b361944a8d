import { Module } from '@nestjs/common';
import { MetagraphModule } from '../chain/metagraph.module';
import { RepoIntakeModule } from '../repo-intake/repo-intake.module';
import { SimilarityReportService } from './similarity-report.service';
import { SubmissionsService } from './submissions.service';

/**
 * Signed entries and the organiser's similarity report, in the API and the worker (entries from chain
 * commitments go through SubmissionsService). Hotkeys are checked against the metagraph cache
 * (MetagraphModule: no chain client, no key); repositories through the process's one RepoIntake.
 */
@Module({
  imports: [MetagraphModule, RepoIntakeModule],
  providers: [SubmissionsService, SimilarityReportService],
  exports: [SubmissionsService, SimilarityReportService],
})
export class SubmissionsModule {}
