import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { buildModel, DataType, encodeModel, intAttr, node, valueInfo } from '../onnx/onnx-builder';
import { NonCausalModelError, OutputContractError } from '../evaluation.errors';
import { CAUSALITY_METHOD, CAUSALITY_TOLERANCE, CausalityViolation, planCausalityChecks, splicedSequence } from './causality';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';

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

    // The causality sample: the scoring pass keeps the log-probabilities of the sampled sequences up to their cut.
    const checks = planCausalityChecks(tokens, count, seqLen, options.causalitySeed);
    const checkOf = new Map(checks.map((c) => [c.example, c]));
    const kept = new Map<number, Float32Array>();
    let maxDeviation = 0;
    let violation: CausalityViolation | null = null;

    // Log-probabilities come from a small graph in onnxruntime (LogSoftmax over the vocabulary, one
    // thread, each row computed alone: the same logits give the same bits whatever the batch or the
    // core count); the per-example losses are float64 sums in position order.
    const scoring = await runtime.InferenceSession.create(logProbModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
    const logProbs = async (logits: Float32Array, n: number, targets: BigInt64Array, outputs: ('logprobs' | 'picked')[]): Promise<Record<string, Float32Array>> => {
      const out = await scoring.run({ logits: new runtime.Tensor('float32', logits, [n, seqLen, VOCAB]), targets: new runtime.Tensor('int64', targets, [n, seqLen, 1]) }, outputs);
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    };
    try {
      for (let start = 0; start < count; start += batchSize) {
        const n = Math.min(batchSize, count - start);
        const ids = new BigInt64Array(n * seqLen);
        const targets = new BigInt64Array(n * seqLen);
        for (let i = 0; i < ids.length; i += 1) {
          ids[i] = BigInt(tokens[start * seqLen + i]);
          // Position t predicts token t + 1; the last position of each sequence is not scored.
          if (i % seqLen < seqLen - 1) targets[i] = BigInt(tokens[start * seqLen + i + 1]);
        }
        const logits = checkLogits((await launch(ids, n)).logits, n, seqLen);
        const sampled = checks.some((c) => c.example >= start && c.example < start + n);
        const { picked, logprobs } = await logProbs(logits, n, targets, sampled ? ['picked', 'logprobs'] : ['picked']);
        for (let b = 0; b < n; b += 1) {
          const check = checkOf.get(start + b);
          if (check) kept.set(check.example, logprobs.slice(b * seqLen * VOCAB, (b * seqLen + check.cut + 1) * VOCAB));
          let sum = 0;
          for (let t = 0; t < seqLen - 1; t += 1) sum -= picked[b * seqLen + t];
          const loss = sum / (seqLen - 1);
          if (!Number.isFinite(loss)) throw new OutputContractError(`logits give a non-finite loss for test example ${start + b}`);
          losses[start + b] = loss;
        }
      }

      // The spliced passes: same sequence length and batch size as the scoring pass.
      for (let from = 0; from < checks.length; from += batchSize) {
        const batch = checks.slice(from, from + batchSize);
        const ids = new BigInt64Array(batch.length * seqLen);
        batch.forEach((check, b) => splicedSequence(tokens, seqLen, check, ids.subarray(b * seqLen, (b + 1) * seqLen)));
        const logits = checkLogits((await launch(ids, batch.length)).logits, batch.length, seqLen);
        const { logprobs } = await logProbs(logits, batch.length, new BigInt64Array(ids.length), ['logprobs']);
        batch.forEach((check, b) => {
          const original = kept.get(check.example) as Float32Array;
          for (let t = 0; t <= check.cut; t += 1) {
            const deviation = rowDeviation(original, t * VOCAB, logprobs, (b * seqLen + t) * VOCAB);
            if (deviation > maxDeviation || Number.isNaN(deviation)) maxDeviation = deviation;
            const worse = deviation > CAUSALITY_TOLERANCE && (violation === null || check.example < violation.example || (check.example === violation.example && t < violation.position));
            if (worse) violation = { method: CAUSALITY_METHOD, example: check.example, position: t, cut: check.cut, donor: check.donor, deviation, tolerance: CAUSALITY_TOLERANCE };
          }
        });
      }
    } finally {
      await scoring.release();
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

/**
 * Largest |difference| between two rows of log-probabilities. Non-finite values count as an
 * infinite difference unless both are the same non-finite value.
 */
function rowDeviation(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number): number {
  let worst = 0;
  for (let j = 0; j < VOCAB; j += 1) {
    const x = a[aOffset + j];
    const y = b[bOffset + j];
    if (x === y) continue;
    const d = Math.abs(x - y);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

let scoringModel: Uint8Array | null = null;

/**
 * logits float32 [n, seq, V], targets int64 [n, seq, 1] -> logprobs float32 [n, seq, V] =
 * LogSoftmax(logits), picked float32 [n, seq, 1] = logprobs[target].
 */
function logProbModel(): Uint8Array {
  scoringModel ??= encodeModel(
    buildModel({
      name: 'token_log_probs',
      nodes: [node('LogSoftmax', ['logits'], ['logprobs'], [intAttr('axis', -1)]), node('GatherElements', ['logprobs', 'targets'], ['picked'], [intAttr('axis', -1)])],
      inputs: [valueInfo('logits', DataType.FLOAT, ['n', 'seq', VOCAB]), valueInfo('targets', DataType.INT64, ['n', 'seq', 1])],
      outputs: [valueInfo('logprobs', DataType.FLOAT, ['n', 'seq', VOCAB]), valueInfo('picked', DataType.FLOAT, ['n', 'seq', 1])],
      opset: 17,
    }),
  );
  return scoringModel;
}
