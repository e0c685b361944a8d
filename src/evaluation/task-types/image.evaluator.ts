import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { DataType } from '../onnx/onnx-builder';
import { OutputContractError } from '../evaluation.errors';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';

/**
 * image (diffusion-style denoising): inputs `noisy` float32 [batch, C, H, W] (the clean test image
 * noised to its timestep), `timestep` int64 [batch], optional `label` int64 [batch] (the shape class);
 * output `noise` float32 [batch, C, H, W], the predicted noise. The timesteps and noise were drawn from
 * the task seed when the split was made (datasets/shapes-generator.ts drawTestNoise), so every model
 * sees the same inputs. Per example: the mean squared error between the predicted and the drawn noise
 * over its C*H*W values, summed in float64 in pixel order; the metric is the mean over examples.
 * Lower is better; a zero-noise predictor scores the mean squared noise (about 1 for N(0, 1) noise).
 */
export const imageEvaluator: TaskEvaluator = {
  taskType: 'image',
  metricName: 'denoising_mse',
  direction: 'lower',
  splitKind: 'images',

  contract(split: TestSplit): ModelContract {
    const shape = split.kind === 'images' ? [null, split.channels, split.size, split.size] : [null, null, null, null];
    return {
      inputs: [
        { name: 'noisy', elemType: DataType.FLOAT, rank: 4, dims: shape },
        { name: 'timestep', elemType: DataType.INT64, rank: 1, dims: [null] },
        { name: 'label', elemType: DataType.INT64, rank: 1, dims: [null], optional: true },
      ],
      outputs: [{ name: 'noise', elemType: DataType.FLOAT, rank: 4, dims: shape }],
    };
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    if (split.kind !== 'images') throw new Error('image needs an images split');
    const { count, channels, size, noisy, noise, timestepOf, labels } = split;
    const p = channels * size * size;
    const batchSize = Math.max(1, Math.floor(options.batchUnits / p));
    const withLabel = session.inputNames.includes('label');
    const losses = new Float64Array(count);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const feeds: Record<string, ort.Tensor> = {
        noisy: new runtime.Tensor('float32', noisy.slice(start * p, (start + n) * p), [n, channels, size, size]),
        timestep: new runtime.Tensor('int64', BigInt64Array.from(timestepOf.subarray(start, start + n), (t) => BigInt(t)), [n]),
      };
      if (withLabel) feeds.label = new runtime.Tensor('int64', BigInt64Array.from(labels.subarray(start, start + n), (l) => BigInt(l)), [n]);
      const output = (await session.run(feeds, ['noise'])).noise;
      if (!output || output.type !== 'float32') throw new OutputContractError('the model must output float32 `noise`');
      const dims = output.dims;
      if (dims.length !== 4 || dims[0] !== n || dims[1] !== channels || dims[2] !== size || dims[3] !== size) {
        throw new OutputContractError(`noise must have shape [${n}, ${channels}, ${size}, ${size}], got [${dims.join(', ')}]`);
      }
      const predicted = output.data as Float32Array;
      for (let b = 0; b < n; b += 1) {
        const offset = (start + b) * p;
        let sum = 0;
        for (let j = 0; j < p; j += 1) {
          const d = predicted[b * p + j] - noise[offset + j];
          sum += d * d;
        }
        const loss = sum / p;
        if (!Number.isFinite(loss)) throw new OutputContractError(`noise gives a non-finite loss for test example ${start + b}`);
        losses[start + b] = loss;
      }
    }
    return { losses, correct: null, scoredUnits: count, causality: null };
  },
};
