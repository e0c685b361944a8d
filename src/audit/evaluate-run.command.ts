import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { reEvaluate } from '../evaluation/re-evaluate';
import { parseTaskType } from '../evaluation/task-types';
import { CAUSALITY_METHODS, causalityDifference, isCausalityMethod } from '../evaluation/task-types/causality';
import { bundleSource } from './audit-command';
import { parseBundleBody } from './bundle-parse';

export interface EvaluateRunOptions {
  run: string;
  /** A directory of bundles or the Crucible API base URL. */
  source: string;
  artifacts?: string;
  fetchImpl?: typeof fetch;
  out?: (line: string) => void;
}

/**
 * `crucible evaluate --run <id> --source URL|DIR`: finds the run in the sealed bundles, fetches its
 * archived model, re-derives the hidden split from the revealed seed and the dataset, scores the
 * model on CPU and compares with the recorded metric bit for bit. Exit 0 when everything matches.
 */
export async function evaluateRunCommand(opts: EvaluateRunOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const source = bundleSource(opts);
  const refs = (await source.list()).filter((r) => r.kind === 'tournament').sort((a, b) => b.sequence - a.sequence);
  for (const ref of refs) {
    const body = parseBundleBody((await source.get(ref.sequence)).body, `bundle ${ref.sequence}`);
    const e = body.evaluations.find((x) => x.runId === opts.run);
    if (!e) continue;
    const task = body.tasks.find((t) => t.id === e.taskId);
    if (!task?.revealedSeed) {
      out(`error: run ${opts.run}: the task seed is not revealed yet`);
      return 1;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-evaluate-'));
    try {
      const model = await source.model(e.modelSha256, dir);
      if (!model) {
        out(`error: run ${opts.run}: archived model ${e.modelSha256} is not available from ${opts.source}`);
        return 1;
      }
      out(`run: ${opts.run} (tournament ${ref.subject}, task ${task.id}, ${task.datasetId})`);
      const recordedMethod = e.causality?.method;
      if (recordedMethod !== undefined && !isCausalityMethod(recordedMethod)) {
        out(`error: run ${opts.run}: causality method ${JSON.stringify(recordedMethod)} cannot be re-derived by this version (known: ${CAUSALITY_METHODS.join(', ')})`);
        return 1;
      }
      const again = await reEvaluate({
        modelPath: model,
        taskType: parseTaskType(task.taskType, `task ${task.id}`),
        datasetId: task.datasetId,
        seed: task.revealedSeed,
        params: task.params,
        causalityMethod: recordedMethod,
        expectedSeedCommitment: task.seedCommitment,
        expectedTestSetCommitment: task.testSetCommitment,
        evaluation: { executionProvider: 'cpu', maxModelMb: 512, timeoutSeconds: 600, memoryMb: 4096 },
        print: out,
      });
      out(`recorded_${e.metricName}: ${e.metricValue}`);
      const causality = again.result.ok ? causalityDifference(e.causality, again.result.score.causality) : null;
      if (e.causality) out(`causality_matches_recorded: ${causality === null ? `true (${e.causality.method}, ${e.causality.checks.length} spliced sequences)` : `false: ${causality}`}`);
      const same = again.result.ok && Object.is(again.result.score.metricValue, e.metricValue) && again.result.score.lossesSha256 === e.lossesSha256 && causality === null;
      out(`matches_recorded: ${same && again.commitmentsMatch}`);
      return same && again.commitmentsMatch ? 0 : 1;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  out(`error: run ${opts.run} has no scored evaluation in the bundles at ${opts.source}`);
  return 1;
}
