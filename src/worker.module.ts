import { Module } from '@nestjs/common';
import { AuditSealingModule } from './audit/audit-sealing.module';
import { ChainUpkeepService } from './chain-upkeep.service';
import { ChainModule } from './chain/chain.module';
import { EvaluationModule } from './evaluation/evaluation.module';
import { PublishingModule } from './publishing/publishing.module';
import { RunDispatcherService } from './runs/run-dispatcher.service';
import { RunExecutionService } from './runs/run-execution.service';
import { RunInputsSource } from './runs/run-inputs';
import { RunOutcomeRecorder } from './runs/run-outcome.recorder';
import { RunScoring } from './runs/run-scoring.service';
import { StoragePruner } from './runs/storage-pruner.service';
import { SandboxModule } from './sandbox/sandbox.module';
import { ChainEntriesService } from './submissions/chain-entries.service';
import { SubmissionsModule } from './submissions/submissions.module';
import { TournamentEngineModule } from './tournaments/tournament-engine.module';
import { TournamentsModule } from './tournaments/tournaments.module';
import { TaskDataSweeper } from './tournaments/task-data-sweeper';
import { TournamentRunInputs } from './tournaments/tournament-run-inputs';
import { SchedulerMaintenance, TournamentScheduler } from './tournaments/tournament.scheduler';
import { Upkeep } from './tournaments/upkeep';

/** Schedulers, run dispatch, the engine, chain upkeep and sealing: only in the worker role, the one that holds keys. */
@Module({
  imports: [SandboxModule, EvaluationModule, TournamentsModule, TournamentEngineModule.register([PublishingModule]), ChainModule, AuditSealingModule, SubmissionsModule],
  providers: [
    ChainEntriesService,
    ChainUpkeepService,
    { provide: Upkeep, useExisting: ChainUpkeepService },
    RunOutcomeRecorder,
    RunScoring,
    RunExecutionService,
    { provide: RunInputsSource, useClass: TournamentRunInputs },
    RunDispatcherService,
    SchedulerMaintenance,
    TournamentScheduler,
    TaskDataSweeper,
    StoragePruner,
  ],
  exports: [RunDispatcherService, TournamentScheduler, StoragePruner],
})
export class WorkerModule {}
