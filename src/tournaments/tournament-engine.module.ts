import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { ChainModule } from '../chain/chain.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { BracketContexts } from './engine/bracket-contexts';
import { CompleteTournament } from './engine/complete-tournament';
import { DecideRound } from './engine/decide-round';
import { EnsureBaselines } from './engine/ensure-baselines';
import { FinaliseAtOverrun } from './engine/finalise-at-overrun';
import { FinaliseTournament } from './engine/finalise-tournament';
import { OpenRegistration } from './engine/open-registration';
import { PlayNextRound } from './engine/play-next-round';
import { ProgressRound } from './engine/progress-round';
import { PublishWinner } from './engine/publish-winner';
import { RecordRoundDecision } from './engine/record-round-decision';
import { ScheduleNextCycle } from './engine/schedule-next-cycle';
import { SetTournamentWeights } from './engine/set-tournament-weights';
import { StartTournament } from './engine/start-tournament';
import { StopBossAtOverrun } from './engine/stop-boss-at-overrun';
import { TournamentLock } from './engine/tournament-lock';
import { RoundPlannerService } from './round-planner.service';
import { TournamentEngineService } from './tournament-engine.service';
import { TournamentsModule } from './tournaments.module';

const ENGINE_STEPS = [
    TournamentLock,
    BracketContexts,
    RoundPlannerService,
    OpenRegistration,
    StartTournament,
    PlayNextRound,
    ProgressRound,
    DecideRound,
    RecordRoundDecision,
    StopBossAtOverrun,
    FinaliseAtOverrun,
    FinaliseTournament,
    CompleteTournament,
    ScheduleNextCycle,
    PublishWinner,
    SetTournamentWeights,
    EnsureBaselines,
    TournamentEngineService,
];

/**
 * The tournament engine, in the worker only; evaluation and chain come from the modules chosen by
 * config. Ports that a folder above tournaments implements (WinnerPublisher: publishing) come from
 * the modules the composition root passes to register().
 */
@Module({})
export class TournamentEngineModule {
  static register(adapters: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: TournamentEngineModule,
      imports: [TournamentsModule, EvaluationModule, ChainModule, ...adapters],
      providers: ENGINE_STEPS,
      exports: [TournamentEngineService],
    };
  }
}
