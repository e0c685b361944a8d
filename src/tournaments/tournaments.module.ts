import { Module } from '@nestjs/common';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { ScoreRepository } from '../runs/score.repository';
import { EngineDeps, TournamentTransitions } from './engine-deps';
import { UnconfiguredWinnerPublisher, WeightSink, WinnerPublisher } from './outcome-ports';
import { RoundPlannerService } from './round-planner.service';
import { TournamentEngineService } from './tournament-engine.service';
import { TournamentOutcomeService } from './tournament-outcome.service';
import { TournamentFactory } from './tournament.factory';
import { DryRunWeightSink } from './unconfigured-weight-sink';
import { WeightsPreviewService } from './weights-preview.service';

/** The tournament engine and what it needs; the adapters for the outside world are chosen by config. */
@Module({
  imports: [EvaluationModule],
  providers: [
    ScoreRepository,
    TournamentFactory,
    TournamentTransitions,
    EngineDeps,
    RoundPlannerService,
    TournamentOutcomeService,
    TournamentEngineService,
    WeightsPreviewService,
    { provide: WinnerPublisher, useClass: UnconfiguredWinnerPublisher },
    { provide: WeightSink, useClass: DryRunWeightSink },
  ],
  exports: [TournamentEngineService, TournamentFactory, WeightsPreviewService, ScoreRepository, EvaluationModule],
})
export class TournamentsModule {}
