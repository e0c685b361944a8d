import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError, EvaluationErrorCode } from '../evaluation.errors';
import { type ClassificationExample, type DatasetDefinition, type DatasetVisibility, type LoadedDataset, PUBLIC_DATASET_NOTE, type StoredDatasetDefinition } from './dataset';
import { GRAMMAR_GENERATOR_VERSION, generateGrammarCorpus } from './grammar-generator';
import { generateShapes, SHAPE_CLASSES, SHAPES_GENERATOR_VERSION } from './shapes-generator';
import { generatePrompts, PROMPTS_GENERATOR_VERSION } from './prompts-generator';
import { loadBaseModel } from '../base-models';
import { scanPrivateDatasets } from './private-datasets';
import { errorMessage } from '../../common/error-message';

/** The repository's own `datasets/` folder, found from this file in src/ or dist/src/. */
export function repoDatasetsDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    const candidate = path.join(dir, 'datasets');
    if (fs.existsSync(path.join(candidate, 'README.md'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('datasets');
}

/** Datasets shipped in the repository (no network at run time). */
export function builtinDatasets(datasetsDir = repoDatasetsDir()): DatasetDefinition[] {
  return [
    {
      id: 'grammar-lm-v1',
      kind: 'generated-text',
      generator: GRAMMAR_GENERATOR_VERSION,
      bytes: 3072 * 128,
      seqLen: 128,
      testFraction: 0.1,
      description: 'Sentences of a random probabilistic grammar over an invented lexicon, generated per task from its secret seed (crucible-grammar/1), byte tokens',
    },
    {
      id: 'shapes-16-v1',
      kind: 'generated-images',
      generator: SHAPES_GENERATOR_VERSION,
      count: 1536,
      size: 16,
      numClasses: SHAPE_CLASSES.length,
      schedule: { timesteps: 100, betaStart: 1e-3, betaEnd: 0.04 },
      baseModel: 'base:shapes-denoiser-v1',
      testFraction: 0.125,
      description: 'Grey-scale 16x16 shapes (disc, square, triangle, cross) generated per task from its secret seed (crucible-shapes/1), for denoising',
    },
    {
      id: 'prompts-v1',
      kind: 'generated-prompts',
      generator: PROMPTS_GENERATOR_VERSION,
      count: 2400,
      seqLen: 20,
      baseModel: 'base:byte-lm-v1',
      testFraction: 0.1,
      description: 'Prompts with verifiable answers (two-digit sums and differences, reversed words) and a wrong answer each, generated per task from its secret seed (crucible-prompts/1), byte tokens',
    },
    {
      id: 'prompts-v2',
      kind: 'generated-prompts',
      generator: 'crucible-prompts/2',
      count: 2400,
      seqLen: 20,
      baseModel: 'base:byte-lm-v1',
      testFraction: 0.1,
      description:
        "As prompts-v1, but a reversed word's wrong answer is the answer with two adjacent letters swapped instead of the word as given (/1's can be told apart without reversing), and every prompt is drawn once (no test prompt is a training prompt); crucible-prompts/2, byte tokens",
    },
    {
      id: 'devils-dictionary',
      kind: 'text-bytes',
      path: path.join(datasetsDir, 'devils-dictionary.txt'),
      seqLen: 128,
      testFraction: 0.1,
      description: "Ambrose Bierce, The Devil's Dictionary (public domain), byte tokens",
    },
    {
      id: 'blobs-8x4',
      kind: 'jsonl-classification',
      path: path.join(datasetsDir, 'blobs-8x4.jsonl'),
      numClasses: 4,
      testFraction: 0.2,
      description: 'Synthetic Gaussian blobs: 8 features, 4 classes, 1200 examples',
    },
  ];
}

/** Looks datasets up by id and loads them (cached: datasets are immutable for the process). */
export class DatasetRegistry {
  /**
   * The shipped and generated datasets plus the organiser's private ones (CRUCIBLE_DATASETS_DIR).
   * A private dataset that fails its manifest check is refused with the reason, the rest load.
   */
  static withPrivate(datasetsDir: string | undefined, report: (problem: string) => void): DatasetRegistry {
    if (!datasetsDir) return new DatasetRegistry();
    const scan = scanPrivateDatasets(datasetsDir);
    scan.problems.forEach(report);
    const builtin = builtinDatasets();
    const clashes = scan.definitions.filter((d) => builtin.some((b) => b.id === d.id));
    clashes.forEach((d) => report(`dataset ${d.id} refused: the id is a built-in dataset's`));
    return new DatasetRegistry([...builtin, ...scan.definitions.filter((d) => !clashes.includes(d))]);
  }

  private readonly definitions = new Map<string, DatasetDefinition>();
  private readonly cache = new Map<string, LoadedDataset>();

  constructor(definitions: DatasetDefinition[] = builtinDatasets()) {
    for (const d of definitions) this.definitions.set(d.id, d);
  }

  list(): DatasetDefinition[] {
    return [...this.definitions.values()];
  }

  has(id: string): boolean {
    return this.definitions.has(id);
  }

  get(id: string): DatasetDefinition {
    const d = this.definitions.get(id);
    if (!d) {
      throw new DatasetError(EvaluationErrorCode.UnknownDataset, `unknown dataset "${id}" (known: ${[...this.definitions.keys()].join(', ')})`);
    }
    return d;
  }

  /** Who can know the dataset's test examples before the reveal, and why (shown with every task). */
  visibility(id: string): { visibility: DatasetVisibility; note: string } {
    return datasetVisibility(this.get(id));
  }

  /** `seed`: the task seed, which a generated dataset is generated from (stored datasets ignore it). */
  async load(id: string, seed?: string): Promise<LoadedDataset> {
    const def = this.get(id);
    const generated = def.kind === 'generated-text' || def.kind === 'generated-images' || def.kind === 'generated-prompts';
    const key = generated ? `${id}\0${seed ?? ''}` : id;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const loaded = await loadDataset(def, seed);
    // Generated corpora are per task: keep only the latest few.
    if (generated && this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, loaded);
    return loaded;
  }
}

export function datasetVisibility(def: DatasetDefinition): { visibility: DatasetVisibility; note: string } {
  if (def.kind === 'generated-text' || def.kind === 'generated-images' || def.kind === 'generated-prompts') return { visibility: 'generated', note: `generated from the task's secret seed by ${def.generator}; the test examples exist nowhere before the seed is drawn` };
  if (def.origin === 'private') return { visibility: 'private', note: "the organiser's own dataset (CRUCIBLE_DATASETS_DIR): never in the repository, the API or the audit bundles" };
  return { visibility: 'public', note: PUBLIC_DATASET_NOTE };
}

export async function loadDataset(def: DatasetDefinition, seed?: string): Promise<LoadedDataset> {
  if (def.kind === 'generated-text') {
    if (seed === undefined) throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id} is generated from the task seed: give the seed`);
    return { kind: 'tokens', id: def.id, vocabSize: 256, seqLen: def.seqLen, testFraction: def.testFraction, tokens: generateGrammarCorpus(seed, def.bytes) };
  }
  if (def.kind === 'generated-images') {
    if (seed === undefined) throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id} is generated from the task seed: give the seed`);
    const baseModel = await loadBaseModel(def.baseModel).catch((cause: unknown) => {
      throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: ${errorMessage(cause)}`, { cause });
    });
    const { pixels, labels } = generateShapes(seed, def.count, def.size);
    return { kind: 'images', id: def.id, channels: 1, size: def.size, numClasses: def.numClasses, testFraction: def.testFraction, schedule: def.schedule, pixels, labels, baseModel };
  }
  if (def.kind === 'generated-prompts') {
    if (seed === undefined) throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id} is generated from the task seed: give the seed`);
    const baseModel = await loadBaseModel(def.baseModel).catch((cause: unknown) => {
      throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: ${errorMessage(cause)}`, { cause });
    });
    return { kind: 'prompts', id: def.id, seqLen: def.seqLen, testFraction: def.testFraction, examples: generatePrompts(seed, def.count, def.generator), baseModel };
  }
  let raw: Buffer;
  try {
    raw = await fs.promises.readFile(def.path);
  } catch (cause) {
    throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: cannot read ${def.path}`, { cause });
  }
  if (def.sha256 !== undefined && createHash('sha256').update(raw).digest('hex') !== def.sha256) {
    throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: ${path.basename(def.path)} no longer matches its sha256 in manifest.json`);
  }
  return parseDataset(def, raw);
}

/** Pure: turns a dataset file's bytes into examples (also used to re-derive a revealed split). */
export function parseDataset(def: StoredDatasetDefinition, raw: Uint8Array): LoadedDataset {
  if (def.kind === 'text-bytes') {
    if (raw.length < def.seqLen * 2) {
      throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: fewer than two sequences of ${def.seqLen} bytes`);
    }
    return { kind: 'tokens', id: def.id, vocabSize: 256, seqLen: def.seqLen, testFraction: def.testFraction, tokens: new Uint8Array(raw) };
  }
  const examples: ClassificationExample[] = [];
  let dim = -1;
  const lines = Buffer.from(raw).toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const fail = (why: string): never => {
      throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id} line ${i + 1}: ${why}`);
    };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      fail('not JSON');
    }
    const { features, label } = (row ?? {}) as { features?: unknown; label?: unknown };
    if (!Array.isArray(features) || !features.every((f) => typeof f === 'number' && Number.isFinite(f))) fail('features must be finite numbers');
    if (!Number.isInteger(label) || (label as number) < 0 || (label as number) >= def.numClasses) fail(`label must be an integer in [0, ${def.numClasses})`);
    const values = features as number[];
    if (dim === -1) dim = values.length;
    if (values.length !== dim || dim === 0) fail(`expected ${dim} features`);
    examples.push({ features: Float32Array.from(values), label: label as number });
  });
  if (examples.length < 2) throw new DatasetError(EvaluationErrorCode.InvalidDataset, `dataset ${def.id}: fewer than two examples`);
  return { kind: 'classification', id: def.id, dim, numClasses: def.numClasses, testFraction: def.testFraction, examples };
}
