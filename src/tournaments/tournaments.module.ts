import { Module } from '@nestjs/common';
import { MetagraphModule } from '../chain/metagraph.module';
import { DatasetsModule } from '../evaluation/datasets.module';
import { TournamentEvidenceService } from './tournament-evidence.service';
import { TournamentFactory } from './tournament.factory';
import { TournamentTransitions } from './tournament-transitions';
import { WeightsPreviewService } from './weights-preview.service';

/**
 * What the API and the worker both need of tournaments: creating cycles, changing a tournament's
 * state (the engine and the organiser's cancel), reading a tournament's evidence and the weights it
 * yields. The engine that moves tournaments is TournamentEngineModule's.
 */
@Module({
  imports: [DatasetsModule, MetagraphModule],
  providers: [TournamentFactory, TournamentTransitions, TournamentEvidenceService, WeightsPreviewService],
  exports: [TournamentFactory, TournamentTransitions, TournamentEvidenceService, WeightsPreviewService, DatasetsModule, MetagraphModule],
})
export class TournamentsModule {}
