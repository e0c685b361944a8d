import { Injectable } from '@nestjs/common';
import { RunInputs, RunInputsSource } from '../runs/run-inputs';
import type { TrainingRunEntity } from '../runs/training-run.entity';
import { CONTAMINATION_THRESHOLD_DEFAULT, paramsRecordedOn } from '../scoring/rulebook';
import { TournamentRepository } from './tournament.repository';

/** A run's task and its tournament's rules, for the run module (RunInputsSource). */
@Injectable()
export class TournamentRunInputs extends RunInputsSource {
  constructor(private readonly tournaments: TournamentRepository) {
    super();
  }

  async forRun(run: TrainingRunEntity): Promise<RunInputs | null> {
    const [task, tournament] = await Promise.all([this.tournaments.findTask(run.taskId), this.tournaments.findById(run.tournamentId)]);
    if (!task || !tournament) return null;
    const { rulebook } = tournament;
    return {
      task: { ...task, params: paramsRecordedOn(task.spec) },
      attempts: rulebook.attempts,
      contaminationThreshold: rulebook.contaminationThreshold ?? CONTAMINATION_THRESHOLD_DEFAULT,
    };
  }
}
