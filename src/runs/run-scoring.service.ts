import { Injectable } from '@nestjs/common';
import { evaluationExamples, evaluations, evaluationSeconds } from '../common/metrics';
import { EvaluationErrorCode } from '../evaluation/evaluation.errors';
import type { EvaluationResult, TaskDataRequest } from '../evaluation/task-data';
import { TaskDataService } from '../evaluation/task-data';
import { RepoIntake } from '../repo-intake/repo-intake';

/** At most this many contaminated example indices are kept as evidence (the count is always exact). */
const EVIDENCE_EXAMPLES = 100;

/**
 * Scores a trained run's model, after checking that the miner's repository does not carry the task's
 * test examples: a contaminated entry's run is rejected (the miner's fault) before it is scored.
 */
@Injectable()
export class RunScoring {
  constructor(
    private readonly taskData: TaskDataService,
    private readonly repos: RepoIntake,
  ) {}

  async score(request: TaskDataRequest, code: { repoUrl: string; commitSha: string }, modelPath: string, contaminationThreshold: number): Promise<EvaluationResult> {
    const found = await this.taskData.checkContamination(request, (dir) => this.repos.checkout(code.repoUrl, code.commitSha, dir), contaminationThreshold);
    if (found) {
      return {
        ok: false,
        infra: false,
        code: EvaluationErrorCode.Contaminated,
        reason: `contaminated: ${found.examples.length} of ${found.total} test examples appear in ${found.file}`,
        evidence: {
          method: found.method,
          ngram: found.ngram,
          threshold: found.threshold,
          contaminatedExamples: found.examples.length,
          testExamples: found.total,
          examples: found.examples.slice(0, EVIDENCE_EXAMPLES),
          file: found.file,
          offset: found.offset,
        },
      };
    }
    const timed = evaluationSeconds.startTimer();
    const result = await this.taskData.evaluate(request, modelPath);
    timed();
    evaluations.inc({ task_type: request.taskType, result: result.ok ? 'ok' : result.infra ? 'infra' : 'rejected' });
    if (result.ok) evaluationExamples.inc({ task_type: request.taskType }, result.score.exampleCount);
    return result;
  }
}
