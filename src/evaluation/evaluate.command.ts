import { loadConfig } from '../config/app-config';
import { DatasetRegistry } from './datasets/dataset-registry';
import { reEvaluate } from './re-evaluate';
import { parseTaskType } from './task-types';

/** `crucible evaluate`: exit 0 when the model scored and the reveal matches the commitment. */
export async function evaluateCommand(opts: { model: string; dataset: string; seed: string; type: string; commitment?: string }): Promise<number> {
  const config = loadConfig();
  const out = await reEvaluate({
    modelPath: opts.model,
    taskType: parseTaskType(opts.type, '--type'),
    datasetId: opts.dataset,
    seed: opts.seed,
    expectedTestSetCommitment: opts.commitment,
    evaluation: config.evaluation,
    datasets: DatasetRegistry.withPrivate(config.evaluation.datasetsDir, (problem) => console.error(problem)),
  });
  if (!out.commitmentsMatch) {
    console.error('the re-derived test split does not match the published commitment');
    return 1;
  }
  return out.result.ok ? 0 : 1;
}
