import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { ChainModule } from './chain/chain.module';
import { ChainUpkeepService } from './chain/chain-upkeep.service';
import { EvaluationModule } from './evaluation/evaluation.module';
import { RunDispatcherService } from './runs/run-dispatcher.service';
import { RunExecutionService } from './runs/run-execution.service';
import { RunOutcomeRecorder } from './runs/run-outcome.recorder';
import { RunScoring } from './runs/run-scoring.service';
import { StoragePruner } from './runs/storage-pruner.service';
import { SandboxModule } from './sandbox/sandbox.module';
import { SubmissionsModule } from './submissions/submissions.module';
import { TournamentsModule } from './tournaments/tournaments.module';
import { TaskDataSweeper } from './tournaments/task-data-sweeper';
import { SchedulerMaintenance, TournamentScheduler } from './tournaments/tournament.scheduler';

/** Schedulers, run dispatch and reconciliation: only in the worker role. */
@Module({
  imports: [SandboxModule, EvaluationModule, TournamentsModule, ChainModule, AuditModule, SubmissionsModule],
  providers: [ChainUpkeepService, RunOutcomeRecorder, RunScoring, RunExecutionService, RunDispatcherService, SchedulerMaintenance, TournamentScheduler, TaskDataSweeper, StoragePruner],
  exports: [RunDispatcherService, TournamentScheduler, StoragePruner],
})
export class WorkerModule {}
