import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { DataType } from '../onnx/onnx-builder';
import { OutputContractError } from '../evaluation.errors';
import { crossEntropy, EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';

/**
 * classification: input `features` float32 [batch, dim], output `logits` float32 [batch, classes].
 * Per-example loss is the cross-entropy of the true label (nats); accuracy counts argmax hits
 * (the first maximum wins a tie).
 */
export const classificationEvaluator: TaskEvaluator = {
  taskType: 'classification',
  metricName: 'cross_entropy_nats',
  direction: 'lower',
  splitKind: 'classification',

  contract(split: TestSplit): ModelContract {
    const dim = split.kind === 'classification' ? split.dim : null;
    const classes = split.kind === 'classification' ? split.numClasses : null;
    return {
      inputs: [{ name: 'features', elemType: DataType.FLOAT, rank: 2, dims: [null, dim] }],
      outputs: [{ name: 'logits', elemType: DataType.FLOAT, rank: 2, dims: [null, classes] }],
    };
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    if (split.kind !== 'classification') throw new Error('classification needs a features split');
    const { count, dim, numClasses, labels, features } = split;
    const batchSize = Math.max(1, Math.floor(options.batchUnits / Math.max(1, dim)));
    const losses = new Float64Array(count);
    let correct = 0;
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const input = new runtime.Tensor('float32', features.slice(start * dim, (start + n) * dim), [n, dim]);
      const output = (await session.run({ features: input }, ['logits'])).logits;
      if (!output || output.type !== 'float32') throw new OutputContractError('the model must output float32 `logits`');
      if (output.dims.length !== 2 || output.dims[0] !== n || output.dims[1] !== numClasses) {
        throw new OutputContractError(`logits must have shape [${n}, ${numClasses}], got [${output.dims.join(', ')}]`);
      }
      const logits = output.data as Float32Array;
      for (let b = 0; b < n; b += 1) {
        const label = labels[start + b];
        const loss = crossEntropy(logits, b * numClasses, numClasses, label);
        if (!Number.isFinite(loss)) throw new OutputContractError(`logits give a non-finite loss for test example ${start + b}`);
        losses[start + b] = loss;
        let best = 0;
        for (let c = 1; c < numClasses; c += 1) if (logits[b * numClasses + c] > logits[b * numClasses + best]) best = c;
        if (best === label) correct += 1;
      }
    }
    return { losses, correct, scoredUnits: count, causality: null };
  },
};
