import type { DatasetSplit } from '../datasets/split';
import { scaledInputDenoiser } from './denoiser-models';
import { linearClassifier, tableLanguageModel } from './onnx-builder';

/** Base models every task can be scored against, built from the task's training split. */
export const BUILTIN_BASE_MODELS = ['builtin:uniform', 'builtin:unigram'] as const;
export type BuiltinBaseModel = (typeof BUILTIN_BASE_MODELS)[number];

export function isBuiltinBaseModel(name: string): name is BuiltinBaseModel {
  return (BUILTIN_BASE_MODELS as readonly string[]).includes(name);
}

/**
 * uniform: equal logits (loss ln(vocab) or ln(classes)).
 * unigram: log frequencies of tokens (or labels) in the training split, add-one smoothed.
 * image: uniform is the zero-noise predictor (loss = mean squared noise); unigram has no meaning there.
 */
export function buildBaselineModel(name: BuiltinBaseModel, split: DatasetSplit): Uint8Array {
  if (split.kind === 'images') {
    if (name !== 'builtin:uniform') throw new Error(`${name} is not defined for images (builtin:uniform is the zero-noise predictor)`);
    return scaledInputDenoiser(0, split.size, split.channels);
  }
  if (split.kind === 'prompts') {
    if (name !== 'builtin:uniform') throw new Error(`${name} is not defined for prompts (the task's base model, base:<id>, is their baseline)`);
    return tableLanguageModel(new Float32Array(256 * 256), 256);
  }
  if (split.kind === 'tokens') {
    const vocab = 256;
    const logp = name === 'builtin:uniform' ? new Float64Array(vocab).fill(-Math.log(vocab)) : logFrequencies(split.train, vocab);
    const table = new Float32Array(vocab * vocab);
    for (let row = 0; row < vocab; row += 1) for (let j = 0; j < vocab; j += 1) table[row * vocab + j] = logp[j];
    return tableLanguageModel(table, vocab);
  }
  const labels = Uint8Array.from(split.train, (ex) => ex.label);
  const bias = name === 'builtin:uniform' ? new Float64Array(split.numClasses) : logFrequencies(labels, split.numClasses);
  return linearClassifier(new Float32Array(split.dim * split.numClasses), bias, split.dim, split.numClasses);
}

function logFrequencies(values: Uint8Array, size: number): Float64Array {
  const counts = new Float64Array(size).fill(1);
  for (const v of values) counts[v] += 1;
  const total = values.length + size;
  return counts.map((c) => Math.log(c / total));
}
