import type { TaskType } from '../task-data';

/** Where a dataset comes from. A URL source may join later behind the same shape. */
export type DatasetDefinition =
  | {
      id: string;
      kind: 'text-bytes';
      /** UTF-8/ASCII text, tokenised to bytes (vocab 256). */
      path: string;
      seqLen: number;
      testFraction: number;
      description: string;
    }
  | {
      id: string;
      kind: 'jsonl-classification';
      /** One `{"features":[...],"label":k}` per line. */
      path: string;
      numClasses: number;
      testFraction: number;
      description: string;
    };

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

export type LoadedDataset = TokenDataset | ClassificationDataset;

/** Which dataset kind each task type consumes. */
export const DATASET_KIND_FOR_TASK: Record<TaskType, LoadedDataset['kind']> = {
  'causal-lm': 'tokens',
  classification: 'classification',
};
