import type * as ort from 'onnxruntime-node';
import type { TestSplit } from '../datasets/split';
import { buildModel, DataType, encodeModel, intAttr, node, valueInfo } from '../onnx/onnx-builder';
import { NonCausalModelError, OutputContractError } from '../evaluation.errors';
import { CAUSALITY_METHOD, type CausalityCheck, CausalityComparison, type CausalityMethod, passLayout, planCausalityChecks, splicedSequence, valueDeviation } from './causality';
import { EvaluateOptions, EvaluationTotals, ModelContract, TaskEvaluator } from './task-evaluator';
import { setTokens, tokenIds } from './token-ids';

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

  causalitySample(split: TestSplit, seed: string, method: CausalityMethod): CausalityCheck[] {
    if (split.kind !== 'tokens') throw new Error('causal-lm needs a token split');
    return planCausalityChecks(split.tokens, split.count, split.seqLen, seed, method);
  },

  /** The log-probability graph's session is opened before the job, with onnxruntime's own set-up. */
  async warm(runtime: typeof ort): Promise<void> {
    const scoring = await logProbSession(runtime);
    await scoring.run({ logits: new runtime.Tensor('float32', new Float32Array(VOCAB), [1, 1, VOCAB]), targets: new runtime.Tensor('int64', new BigInt64Array(1), [1, 1, 1]) });
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

    // The causality sample runs in the scoring pass's batches (passLayout): each spliced row is
    // compared with its original's log-probabilities up to its cut.
    const method = options.causalityMethod ?? CAUSALITY_METHOD;
    const comparison = new CausalityComparison(method, planCausalityChecks(tokens, count, seqLen, options.causalitySeed, method), VOCAB, valueDeviation);

    // Log-probabilities come from a small graph in onnxruntime (LogSoftmax over the vocabulary, one
    // thread, each row computed alone: the same logits give the same bits whatever the batch or the
    // core count); the per-example losses are float64 sums in position order.
    const scoring = await logProbSession(runtime);
    const logProbs = async (logits: Float32Array, n: number, targets: BigInt64Array, outputs: ('logprobs' | 'picked')[]): Promise<Record<string, Float32Array>> => {
      const out = await scoring.run({ logits: new runtime.Tensor('float32', logits, [n, seqLen, VOCAB]), targets: new runtime.Tensor('int64', targets, [n, seqLen, 1]) }, outputs);
      return Object.fromEntries(outputs.map((name) => [name, out[name].data as Float32Array]));
    };
    for (const batch of passLayout(count, comparison.checks, batchSize)) {
      const n = batch.length;
      const { ids, words } = tokenIds(n * seqLen);
      const { ids: targets, words: targetWords } = tokenIds(n * seqLen);
      const spliced = new Uint8Array(seqLen);
      batch.forEach((row, b) => {
        if ('check' in row) {
          splicedSequence(tokens, seqLen, comparison.checks[row.check], spliced);
          setTokens(words, b * seqLen, spliced);
          return;
        }
        const sequence = tokens.subarray(row.example * seqLen, (row.example + 1) * seqLen);
        setTokens(words, b * seqLen, sequence);
        // Position t predicts token t + 1; the last position of each sequence is not scored (target 0).
        setTokens(targetWords, b * seqLen, sequence.subarray(1));
      });
      const logits = checkLogits((await launch(ids, n)).logits, n, seqLen);
      const compared = batch.some((row) => 'check' in row || comparison.isSampled(row.example));
      const { picked, logprobs } = await logProbs(logits, n, targets, compared ? ['picked', 'logprobs'] : ['picked']);
      batch.forEach((row, b) => {
        if ('check' in row) {
          comparison.compare(row.check, logprobs, b * seqLen * VOCAB);
          return;
        }
        if (compared) comparison.keep(row.example, logprobs, b * seqLen * VOCAB);
        let sum = 0;
        for (let t = 0; t < seqLen - 1; t += 1) sum -= picked[b * seqLen + t];
        const loss = sum / (seqLen - 1);
        if (!Number.isFinite(loss)) throw new OutputContractError(`logits give a non-finite loss for test example ${row.example}`);
        losses[row.example] = loss;
      });
    }
    if (comparison.violation) throw new NonCausalModelError(comparison.violation);

    return { losses, correct: null, scoredUnits: count * (seqLen - 1), causality: comparison.evidence() };
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

let scoringModel: Uint8Array | null = null;
let scoringSession: Promise<ort.InferenceSession> | null = null;

/**
 * One session of the log-probability graph per process (a worker runs one job): one thread, each
 * row computed alone, so the same logits give the same bits whatever the batch or the core count.
 */
function logProbSession(runtime: typeof ort): Promise<ort.InferenceSession> {
  scoringSession ??= runtime.InferenceSession.create(logProbModel(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  return scoringSession;
}

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
