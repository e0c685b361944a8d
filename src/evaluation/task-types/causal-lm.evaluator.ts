import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { buildModel, DataType, encodeModel, intAttr, intsAttr, node, valueInfo } from '../onnx/onnx-builder';
import { EvaluateOptions, EvaluationTotals, ModelContract, OutputContractError, TaskEvaluator } from './task-evaluator';

const VOCAB = 256;

/**
 * causal-lm: input `input_ids` int64 [batch, seq] (optional `attention_mask`), output `logits`
 * float32 [batch, seq, 256]. Each test example is one sequence; its loss is the mean next-token
 * cross-entropy (nats) over positions 1..seq-1. The metric is the mean over examples, which equals
 * the token mean because all sequences have the same length.
 */
export const causalLmEvaluator: TaskEvaluator = {
  taskType: 'causal-lm',
  metricName: 'cross_entropy_nats',
  splitKind: 'tokens',

  contract(): ModelContract {
    return {
      inputs: [
        { name: 'input_ids', elemType: DataType.INT64, rank: 2, dims: [null, null] },
        { name: 'attention_mask', elemType: DataType.INT64, rank: 2, dims: [null, null], optional: true },
      ],
      outputs: [{ name: 'logits', elemType: DataType.FLOAT, rank: 3, dims: [null, null, VOCAB] }],
    };
  },

  async evaluate(runtime: typeof ort, session: ort.InferenceSession, split: TestSplit, options: EvaluateOptions): Promise<EvaluationTotals> {
    if (split.kind !== 'tokens') throw new Error('causal-lm needs a token split');
    const { seqLen, count, tokens } = split;
    const batchSize = Math.max(1, Math.floor(options.batchUnits / seqLen));
    const withMask = session.inputNames.includes('attention_mask');
    const losses = new Float64Array(count);

    const launch = (start: number): { start: number; n: number; result: Promise<ort.InferenceSession.OnnxValueMapType> } => {
      const n = Math.min(batchSize, count - start);
      const ids = new BigInt64Array(n * seqLen);
      for (let i = 0; i < ids.length; i += 1) ids[i] = BigInt(tokens[start * seqLen + i]);
      const feeds: Record<string, ort.Tensor> = { input_ids: new runtime.Tensor('int64', ids, [n, seqLen]) };
      if (withMask) feeds.attention_mask = new runtime.Tensor('int64', new BigInt64Array(n * seqLen).fill(1n), [n, seqLen]);
      return { start, n, result: session.run(feeds, ['logits']) };
    };

    // Next-token cross-entropy is computed by a small float64 scoring graph in onnxruntime
    // (one thread, so the bits do not depend on the machine's core count): the same formula as
    // crossEntropy() but vectorised. Per-example means are summed here in position order.
    const scoring = await runtime.InferenceSession.create(tokenNllModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    try {
      // Keep the next batch running in onnxruntime while this one is scored.
      let pending = count > 0 ? launch(0) : null;
      while (pending) {
        const { start, n } = pending;
        const output = (await pending.result).logits;
        pending = start + n < count ? launch(start + n) : null;
        const logits = checkLogits(output, n, seqLen);
        const targets = new BigInt64Array(n * seqLen);
        for (let b = 0; b < n; b += 1) {
          const base = (start + b) * seqLen;
          for (let t = 0; t < seqLen - 1; t += 1) targets[b * seqLen + t] = BigInt(tokens[base + t + 1]);
        }
        const nll = (
          await scoring.run({
            logits: new runtime.Tensor('float32', logits, [n, seqLen, VOCAB]),
            targets: new runtime.Tensor('int64', targets, [n, seqLen, 1]),
          })
        ).nll.data as Float64Array;
        for (let b = 0; b < n; b += 1) {
          let sum = 0;
          for (let t = 0; t < seqLen - 1; t += 1) sum += nll[b * seqLen + t];
          const loss = sum / (seqLen - 1);
          if (!Number.isFinite(loss)) throw new OutputContractError(`logits give a non-finite loss for test example ${start + b}`);
          losses[start + b] = loss;
        }
      }
    } finally {
      await scoring.release();
    }
    return { losses, correct: null, scoredUnits: count * (seqLen - 1) };
  },
};

function checkLogits(output: ort.Tensor | undefined, n: number, seqLen: number): Float32Array {
  if (!output) throw new OutputContractError('the model produced no `logits` output');
  if (output.type !== 'float32') throw new OutputContractError(`logits must be float32, got ${output.type}`);
  const dims = output.dims;
  if (dims.length !== 3 || dims[0] !== n || dims[1] !== seqLen || dims[2] !== VOCAB) {
    throw new OutputContractError(`logits must have shape [${n}, ${seqLen}, ${VOCAB}], got [${dims.join(', ')}]`);
  }
  return output.data as Float32Array;
}

let nllModel: Uint8Array | null = null;

/** logits float32 [n, seq, V], targets int64 [n, seq, 1] -> nll float64 [n, seq, 1] = logsumexp(x) - x[target]. */
function tokenNllModel(): Uint8Array {
  nllModel ??= encodeModel(
    buildModel({
      name: 'token_nll',
      nodes: [
        node('Cast', ['logits'], ['x'], [intAttr('to', DataType.DOUBLE)]),
        node('ReduceLogSumExp', ['x'], ['lse'], [intsAttr('axes', [-1]), intAttr('keepdims', 1)]),
        node('GatherElements', ['x', 'targets'], ['picked'], [intAttr('axis', -1)]),
        node('Sub', ['lse', 'picked'], ['nll']),
      ],
      inputs: [valueInfo('logits', DataType.FLOAT, ['n', 'seq', VOCAB]), valueInfo('targets', DataType.INT64, ['n', 'seq', 1])],
      outputs: [valueInfo('nll', DataType.DOUBLE, ['n', 'seq', 1])],
      opset: 17,
    }),
  );
  return nllModel;
}
