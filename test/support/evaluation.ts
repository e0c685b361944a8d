import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EvaluationResult, ModelScore } from '../../src/evaluation/task-data';

/** The score of a result the test expects to be scored; a rejection fails the test with its code and reason. */
export function scoreOf(result: EvaluationResult): ModelScore {
  if (!result.ok) throw new Error(`expected a score, got ${result.code}: ${result.reason}`);
  return result.score;
}

/** Writes `model` as model.onnx in a fresh artifact folder under `root` (as a run's output would be) and returns its path. */
export function writeArtifact(root: string, model: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(root, 'artifact-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), model);
  return path.join(dir, 'model.onnx');
}
