import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { OutputFacts } from '../classify-outcome';
import { COLLECTED_FILES } from './output-collector';

/** What the collector found on the pod's /output, read back from the run's dir on the claim. */
export type CollectedFacts = Required<Pick<OutputFacts, 'model' | 'outputFull'>> & Pick<OutputFacts, 'files'>;

const RESULT_MAX_BYTES = 4096;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates the collector's result.json (it ran inside the sandbox pod, so it is checked like input). */
export function parseCollectorResult(text: string): CollectedFacts {
  const value = JSON.parse(text) as { model?: { kind?: unknown; bytes?: unknown }; outputFull?: unknown; entries?: unknown };
  const kind = value.model?.kind;
  const bytes = value.model?.bytes;
  if (typeof value.outputFull !== 'boolean') throw new Error('outputFull is not a boolean');
  if (value.entries !== null && !isCount(value.entries)) throw new Error('entries is neither null nor a count');
  const files = value.entries === null ? {} : { files: value.entries };
  if (kind === 'missing' || kind === 'not-a-file') return { model: { kind }, outputFull: value.outputFull, ...files };
  if ((kind === 'file' || kind === 'too-large') && isCount(bytes)) return { model: { kind, bytes }, outputFull: value.outputFull, ...files };
  throw new Error(`unknown model entry ${JSON.stringify(value.model)}`);
}

/**
 * Reads result.json from the run's output dir and copies model.onnx (written there by the collector,
 * at most the cap) to modelPath. null when the collector left no result.
 */
export async function readCollectedOutput(outputDir: string, modelPath: string, modelMaxBytes: number): Promise<CollectedFacts | null> {
  const resultPath = path.join(outputDir, COLLECTED_FILES.result);
  const stat = await fs.lstat(resultPath).catch(() => null);
  if (stat === null) return null;
  if (!stat.isFile() || stat.size > RESULT_MAX_BYTES) throw new Error(`${resultPath} is not the collector's result`);
  const facts = parseCollectorResult(await fs.readFile(resultPath, 'utf8'));
  if (facts.model.kind !== 'file') return facts;
  const source = path.join(outputDir, COLLECTED_FILES.model);
  const model = await fs.lstat(source);
  if (!model.isFile() || model.size !== facts.model.bytes || model.size > modelMaxBytes) {
    throw new Error(`${source} (${model.size} bytes) does not match the collector's result (${facts.model.bytes} bytes)`);
  }
  await fs.copyFile(source, modelPath);
  return facts;
}
