import type { TaskType } from '../task-data';
import type { ImageDataset } from './image-split';
import type { PromptDataset } from './prompts-split';
import type { PromptsGeneratorVersion } from './prompts-generator';
import type { NoiseSchedule } from './shapes-generator';

/**
 * Who can know a dataset's test examples before the reveal:
 * - `public`: the corpus is published (it ships in this repository), so a training script can carry
 *   it and recover the hidden test windows by matching the training split against it. Fine for the
 *   demo and tests; a tournament that sets weights needs the rulebook's `allowPublicDatasets`.
 * - `generated`: the examples are generated from the task's secret seed; they exist nowhere before it.
 * - `private`: the organiser's own files, outside the repository (CRUCIBLE_DATASETS_DIR).
 */
export type DatasetVisibility = 'public' | 'generated' | 'private';

export const PUBLIC_DATASET_NOTE =
  'public corpus: it ships with the project, so a training script can carry it and recover the hidden test split by matching the training data against it';

/** Where a dataset comes from. A URL source may join later behind the same shape. */
export type DatasetDefinition =
  | {
      id: string;
      kind: 'generated-text';
      /** Generator version pinned by the id (e.g. crucible-grammar/1); the corpus comes from the task seed. */
      generator: 'crucible-grammar/1';
      /** Corpus size in bytes (byte tokens, vocab 256). */
      bytes: number;
      seqLen: number;
      testFraction: number;
      description: string;
    }
  | {
      id: string;
      kind: 'generated-images';
      /** Generator version pinned by the id (crucible-shapes/1); the images come from the task seed. */
      generator: 'crucible-shapes/1';
      count: number;
      /** Images are 1 x size x size. */
      size: number;
      numClasses: number;
      /** The forward process the hidden test noise follows (handed to miners in meta.json). */
      schedule: NoiseSchedule;
      /** The pretrained denoiser handed to miners in /task/base (`base:<id>`). */
      baseModel: string;
      testFraction: number;
      description: string;
    }
  | {
      id: string;
      kind: 'generated-prompts';
      /** Generator version pinned by the id (prompts-v1: crucible-prompts/1, prompts-v2: /2); the examples come from the task seed. */
      generator: PromptsGeneratorVersion;
      count: number;
      /** Longest prompt + response in bytes (sequences are padded to it). */
      seqLen: number;
      /** The registered base model (base-models.ts) whose byte tokenizer the examples use. */
      baseModel: string;
      testFraction: number;
      description: string;
    }
  | (StoredFile & {
      kind: 'text-bytes';
      /** UTF-8/ASCII text, tokenised to bytes (vocab 256). */
      seqLen: number;
    })
  | (StoredFile & {
      kind: 'jsonl-classification';
      /** One `{"features":[...],"label":k}` per line. */
      numClasses: number;
    });

interface StoredFile {
  id: string;
  path: string;
  testFraction: number;
  description: string;
  /** `private`: the organiser's own file (CRUCIBLE_DATASETS_DIR); absent: shipped in this repository. */
  origin?: 'private';
  /** Expected sha256 of the file (private datasets: from the manifest, checked at every load). */
  sha256?: string;
}

/** A dataset read from files (its bytes are the dataset). */
export type StoredDatasetDefinition = Exclude<DatasetDefinition, { kind: 'generated-text' | 'generated-images' | 'generated-prompts' }>;

export interface TokenDataset {
  kind: 'tokens';
  id: string;
  vocabSize: 256;
  seqLen: number;
  testFraction: number;
  /** The whole corpus as byte tokens. */
  tokens: Uint8Array;
}

export interface ClassificationExample {
  features: Float32Array;
  label: number;
}

export interface ClassificationDataset {
  kind: 'classification';
  id: string;
  dim: number;
  numClasses: number;
  testFraction: number;
  examples: ClassificationExample[];
}

export type LoadedDataset = TokenDataset | ClassificationDataset | ImageDataset | PromptDataset;

/** Which dataset kind each task type consumes. */
export const DATASET_KIND_FOR_TASK: Record<TaskType, LoadedDataset['kind']> = {
  'causal-lm': 'tokens',
  classification: 'classification',
  image: 'images',
  instruct: 'prompts',
  preference: 'prompts',
  reward: 'prompts',
};
