import { Module } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { PublishingModule } from '../publishing/publishing.module';
import { EngineDeps, TournamentTransitions } from './engine-deps';
import { RoundPlannerService } from './round-planner.service';
import { TournamentEngineService } from './tournament-engine.service';
import { TournamentOutcomeService } from './tournament-outcome.service';
import { TournamentsModule } from './tournaments.module';

/** The tournament engine, in the worker only; the outside world (evaluation, chain, GitHub) comes from the modules chosen by config. */
@Module({
  imports: [TournamentsModule, EvaluationModule, ChainModule, PublishingModule],
  providers: [TournamentTransitions, EngineDeps, RoundPlannerService, TournamentOutcomeService, TournamentEngineService],
  exports: [TournamentEngineService],
})
export class TournamentEngineModule {}
