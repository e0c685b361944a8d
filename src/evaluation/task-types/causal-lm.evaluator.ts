import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { buildModel, DataType, encodeModel, intAttr, intsAttr, node, valueInfo } from '../onnx/onnx-builder';
import { CAUSALITY_METHOD, CAUSALITY_TOLERANCE, CausalityViolation, logProbDeviation, NonCausalModelError, planCausalityChecks, splicedSequence } from './causality';
import { EvaluateOptions, EvaluationTotals, ModelContract, OutputContractError, TaskEvaluator } from './task-evaluator';

const VOCAB = 256;

/**
 * causal-lm: input `input_ids` int64 [batch, seq] (optional `attention_mask`), output `logits`
 * float32 [batch, seq, 256]. Each test example is one sequence; its loss is the mean next-token
 * cross-entropy (nats) over positions 1..seq-1. The metric is the mean over examples, which equals
 * the token mean because all sequences have the same length. Every evaluation also runs the
 * causality check (causality.ts): a model whose logits at a position depend on later tokens is
 * rejected, never scored.
 */
export const causalLmEvaluator: TaskEvaluator = {
  taskType: 'causal-lm',
  metricName: 'cross_entropy_nats',
  direction: 'lower',
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

    const launch = (ids: BigInt64Array, n: number): Promise<ort.InferenceSession.OnnxValueMapType> => {
      const feeds: Record<string, ort.Tensor> = { input_ids: new runtime.Tensor('int64', ids, [n, seqLen]) };
      if (withMask) feeds.attention_mask = new runtime.Tensor('int64', new BigInt64Array(n * seqLen).fill(1n), [n, seqLen]);
      return session.run(feeds, ['logits']);
    };
    const launchTest = (start: number): { start: number; n: number; result: Promise<ort.InferenceSession.OnnxValueMapType> } => {
      const n = Math.min(batchSize, count - start);
      const ids = new BigInt64Array(n * seqLen);
      for (let i = 0; i < ids.length; i += 1) ids[i] = BigInt(tokens[start * seqLen + i]);
      return { start, n, result: launch(ids, n) };
    };

    // The causality sample: the scoring pass keeps the logits of the sampled sequences up to their cut.
    const checks = planCausalityChecks(tokens, count, seqLen, options.causalitySeed);
    const checkOf = new Map(checks.map((c) => [c.example, c]));
    const kept = new Map<number, Float32Array>();

    // Next-token cross-entropy is computed by a small float64 scoring graph in onnxruntime
    // (one thread, so the bits do not depend on the machine's core count): the same formula as
    // crossEntropy() but vectorised. Per-example means are summed here in position order.
    const scoring = await runtime.InferenceSession.create(tokenNllModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    try {
      // Keep the next batch running in onnxruntime while this one is scored.
      let pending = count > 0 ? launchTest(0) : null;
      while (pending) {
        const { start, n } = pending;
        const output = (await pending.result).logits;
        pending = start + n < count ? launchTest(start + n) : null;
        const logits = checkLogits(output, n, seqLen);
        for (let b = 0; b < n; b += 1) {
          const check = checkOf.get(start + b);
          if (check) kept.set(check.example, logits.slice(b * seqLen * VOCAB, (b * seqLen + check.cut + 1) * VOCAB));
        }
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

    // The spliced passes: same sequence length and batch size as the scoring pass.
    let maxDeviation = 0;
    let violation: CausalityViolation | null = null;
    for (let from = 0; from < checks.length; from += batchSize) {
      const batch = checks.slice(from, from + batchSize);
      const ids = new BigInt64Array(batch.length * seqLen);
      batch.forEach((check, b) => splicedSequence(tokens, seqLen, check, ids.subarray(b * seqLen, (b + 1) * seqLen)));
      const logits = checkLogits((await launch(ids, batch.length)).logits, batch.length, seqLen);
      batch.forEach((check, b) => {
        const original = kept.get(check.example) as Float32Array;
        for (let t = 0; t <= check.cut; t += 1) {
          const deviation = logProbDeviation(original, t * VOCAB, logits, (b * seqLen + t) * VOCAB, VOCAB);
          if (deviation > maxDeviation || Number.isNaN(deviation)) maxDeviation = deviation;
          const worse = deviation > CAUSALITY_TOLERANCE && (violation === null || check.example < violation.example || (check.example === violation.example && t < violation.position));
          if (worse) violation = { method: CAUSALITY_METHOD, example: check.example, position: t, cut: check.cut, donor: check.donor, deviation, tolerance: CAUSALITY_TOLERANCE };
        }
      });
    }
    if (violation) throw new NonCausalModelError(violation);

    return {
      losses,
      correct: null,
      scoredUnits: count * (seqLen - 1),
      causality: { method: CAUSALITY_METHOD, tolerance: CAUSALITY_TOLERANCE, checks, maxDeviation },
    };
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
