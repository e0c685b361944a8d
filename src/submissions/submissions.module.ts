import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { AppConfig } from '../config/app-config';
import { createRepoIntake } from '../sandbox/sandbox.module';
import { ChainEntriesService } from './chain-entries.service';
import { RepoIntake } from './repo-intake/repo-intake';
import { SimilarityReportService } from './similarity-report.service';
import { SubmissionsService } from './submissions.service';

/** Signed entries and entries from chain commitments; the HotkeyRegistry (metagraph, static table or open) comes from ChainModule. */
@Module({
  imports: [ChainModule],
  providers: [SubmissionsService, ChainEntriesService, SimilarityReportService, { provide: RepoIntake, useFactory: createRepoIntake, inject: [AppConfig] }],
  exports: [SubmissionsService, ChainEntriesService, SimilarityReportService, RepoIntake],
})
export class SubmissionsModule {}
