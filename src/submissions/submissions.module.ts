import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { AppConfig } from '../config/app-config';
import { createRepoIntake } from '../sandbox/sandbox.module';
import { RepoIntake } from './repo-intake/repo-intake';
import { SimilarityReportService } from './similarity-report.service';
import { SubmissionsService } from './submissions.service';

/** Signed entries; the HotkeyRegistry (metagraph, static table or open) comes from ChainModule. */
@Module({
  imports: [ChainModule],
  providers: [SubmissionsService, SimilarityReportService, { provide: RepoIntake, useFactory: createRepoIntake, inject: [AppConfig] }],
  exports: [SubmissionsService, SimilarityReportService, RepoIntake],
})
export class SubmissionsModule {}
