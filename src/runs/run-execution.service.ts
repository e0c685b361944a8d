import { Injectable, Logger } from '@nestjs/common';
import { sandboxStartSeconds, trainingSeconds } from '../common/metrics';
import { pausePoint } from '../common/pause-point';
import { TrainingExecutor, TrainingJob, TrainingResult } from '../sandbox/training-executor';
import { EntrantRepository } from '../submissions/entrant.repository';
import { RunInputsSource } from './run-inputs';
import { RunEnd, RunOutcomeRecorder } from './run-outcome.recorder';
import { RunScoring } from './run-scoring.service';
import type { TrainingRunEntity } from './training-run.entity';

/**
 * Takes one claimed run to its typed outcome: train in the sandbox (or adopt the sandbox a previous
 * worker started), then evaluate the model on the hidden split. Never throws: anything unexpected
 * is an infra failure, re-queued at no cost to the miner.
 */
@Injectable()
export class RunExecutionService {
  private readonly logger = new Logger(RunExecutionService.name);

  constructor(
    private readonly inputs: RunInputsSource,
    private readonly entrants: EntrantRepository,
    private readonly executor: TrainingExecutor,
    private readonly scoring: RunScoring,
    private readonly recorder: RunOutcomeRecorder,
  ) {}

  async run(run: TrainingRunEntity): Promise<void> {
    pausePoint('claimed');
    let budget = 1;
    try {
      const [inputs, entrant] = await Promise.all([this.inputs.forRun(run), this.entrants.findById(run.entrantId)]);
      if (!inputs || !entrant) throw new Error(`run ${run.id} refers to a missing task, entrant or tournament`);
      const { task, contaminationThreshold } = inputs;
      budget = inputs.attempts;
      const request = { taskId: task.id, taskType: task.taskType, datasetId: task.datasetId, seed: task.secretSeed, params: task.params };

      let modelPath = run.state === 'evaluating' ? run.artifactPath : null;
      let trained: RunEnd | null = null;
      if (!modelPath) {
        const job: TrainingJob = {
          runId: run.id,
          tournamentId: run.tournamentId,
          taskId: task.id,
          entrantId: entrant.id,
          attempt: run.attempt,
          repoUrl: entrant.repoUrl,
          commitSha: entrant.commitSha,
          taskSpec: task.spec,
          trainDir: task.trainDir ?? '',
          timeLimitSeconds: task.timeLimitSeconds,
          hardware: run.hardware,
        };
        const found = run.runnerRef && run.runnerKind ? { runnerKind: run.runnerKind, runnerRef: run.runnerRef } : run.state === 'starting' ? await this.executor.locate(job) : null;
        if (found && !run.runnerRef) await this.recorder.started(run.id, found.runnerKind, found.runnerRef);
        // The end is recorded before the sandbox goes (onEnded), so a crash in between resumes from it.
        let recorded = false;
        const onEnded = async (result: TrainingResult): Promise<void> => {
          const end = toEnd(result);
          if (result.outcome === 'succeeded' && result.modelPath) await this.recorder.trained(run, end);
          else await this.recorder.finish(run, end, null, budget);
          recorded = true;
        };
        // Timed only for sandboxes this worker started (an adopted one's start is unknown here).
        const asked = Date.now();
        let started: number | null = null;
        const onStarted = (kind: string, ref: string): Promise<void> => {
          started = Date.now();
          sandboxStartSeconds.observe((started - asked) / 1000);
          return this.recorder.started(run.id, kind, ref);
        };
        const result = found
          ? await this.executor.adopt(job, found.runnerKind, found.runnerRef, { onEnded })
          : await this.executor.execute(job, { onStarted, onEnded });
        if (started !== null) trainingSeconds.observe((Date.now() - started) / 1000);
        trained = toEnd(result);
        if (!recorded) await onEnded(result);
        if (result.outcome !== 'succeeded' || !result.modelPath) return;
        modelPath = result.modelPath;
      }

      pausePoint('evaluating');
      const evaluation = await this.scoring.score(request, entrant, modelPath, contaminationThreshold);
      pausePoint('evaluated');
      const base: RunEnd = trained ?? { outcome: 'succeeded', reason: '', exitCode: run.exitCode, imageDigest: run.imageDigest, logPath: run.logPath, artifactPath: modelPath };
      if (evaluation.ok) {
        await this.recorder.finish(run, { ...base, outcome: 'succeeded', reason: `scored ${evaluation.score.metricName} ${evaluation.score.metricValue.toFixed(6)}` }, evaluation.score, budget);
      } else {
        const outcome = evaluation.infra ? 'infra_failed' : 'output_invalid';
        await this.recorder.finish(run, { ...base, outcome, reason: `${evaluation.code}: ${evaluation.reason}`, evidence: evaluation.evidence ?? null }, null, budget);
      }
    } catch (error) {
      this.logger.error({ runId: run.id, error: error instanceof Error ? error.stack : String(error) }, 'run failed for infrastructure reasons');
      const end: RunEnd = { outcome: 'infra_failed', reason: `infrastructure error: ${error instanceof Error ? error.message : String(error)}`, exitCode: null, imageDigest: null, logPath: null, artifactPath: null };
      await this.recorder.finish(run, end, null, budget).catch((e: unknown) => this.logger.error({ runId: run.id, error: String(e) }, 'could not record run failure'));
    }
  }
}

function toEnd(r: TrainingResult): RunEnd {
  return { outcome: r.outcome, reason: r.reason, exitCode: r.exitCode, imageDigest: r.imageDigest, logPath: r.logPath, artifactPath: r.modelPath };
}
