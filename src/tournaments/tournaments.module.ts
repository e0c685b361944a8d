import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { PublishingModule } from '../publishing/publishing.module';
import { ScoreRepository } from '../runs/score.repository';
import { EngineDeps, TournamentTransitions } from './engine-deps';
import { RoundPlannerService } from './round-planner.service';
import { TournamentEngineService } from './tournament-engine.service';
import { TournamentEvidenceService } from './tournament-evidence.service';
import { TournamentOutcomeService } from './tournament-outcome.service';
import { TournamentFactory } from './tournament.factory';
import { WeightsPreviewService } from './weights-preview.service';

/** The tournament engine; the outside world (chain, GitHub) comes from ChainModule and PublishingModule, chosen by config. */
@Module({
  imports: [EvaluationModule, ChainModule, PublishingModule],
  providers: [
    ScoreRepository,
    TournamentFactory,
    TournamentTransitions,
    EngineDeps,
    RoundPlannerService,
    TournamentOutcomeService,
    TournamentEngineService,
    TournamentEvidenceService,
    WeightsPreviewService,
  ],
  exports: [TournamentEngineService, TournamentFactory, WeightsPreviewService, ScoreRepository, EvaluationModule],
})
export class TournamentsModule {}
