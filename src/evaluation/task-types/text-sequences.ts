import type * as ort from 'onnxruntime-node';
import { PAD_TOKEN } from '../datasets/prompts-split';
import { END_OF_RESPONSE } from '../datasets/prompts-generator';
import { DataType } from '../onnx/onnx-builder';
import { NonCausalModelError, OutputContractError } from '../evaluation.errors';
import { CAUSALITY_METHOD, CausalityComparison, type CausalityEvidence, type CausalityMethod, logProbDeviation, passLayout, planCausalityChecks, splicedSequence } from './causality';
import { crossEntropy, type ModelContract } from './task-evaluator';
import { setTokens, tokenIds } from './token-ids';

/**
 * What the text task types (instruct, preference, reward) share: the byte-token causal LM contract
 * of the base model, and the log-probability of each response given its prompt.
 */
export const TEXT_VOCAB = 256;
export const END_TOKEN = END_OF_RESPONSE.charCodeAt(0);

/** input_ids int64 [batch, seq] (optional attention_mask, all ones) -> logits float32 [batch, seq, 256]. */
export function textContract(): ModelContract {
  return {
    inputs: [
      { name: 'input_ids', elemType: DataType.INT64, rank: 2, dims: [null, null] },
      { name: 'attention_mask', elemType: DataType.INT64, rank: 2, dims: [null, null], optional: true },
    ],
    outputs: [{ name: 'logits', elemType: DataType.FLOAT, rank: 3, dims: [null, null, TEXT_VOCAB] }],
  };
}

/** Prompt and response texts packed into [count, seqLen] byte tokens, right-padded with byte 0. */
export interface PackedSequences {
  count: number;
  seqLen: number;
  tokens: Uint8Array;
  /** Token positions of each response: [start, end). */
  starts: Uint32Array;
  ends: Uint32Array;
}

export function packSequences(pairs: Array<{ prompt: string; response: string }>, seqLen: number): PackedSequences {
  const tokens = new Uint8Array(pairs.length * seqLen).fill(PAD_TOKEN);
  const starts = new Uint32Array(pairs.length);
  const ends = new Uint32Array(pairs.length);
  pairs.forEach(({ prompt, response }, i) => {
    const bytes = Buffer.from(prompt + response, 'latin1');
    if (bytes.length > seqLen) throw new Error(`example ${i} has ${bytes.length} tokens; the split's sequences hold ${seqLen}`);
    if (prompt.length === 0) throw new Error(`example ${i} has an empty prompt`);
    tokens.set(bytes, i * seqLen);
    starts[i] = prompt.length;
    ends[i] = bytes.length;
  });
  return { count: pairs.length, seqLen, tokens, starts, ends };
}

/** Runs the model on [n, seq] token ids and returns its logits, checked against the contract. */
export async function runLogits(runtime: typeof ort, session: ort.InferenceSession, ids: BigInt64Array, n: number, seq: number): Promise<Float32Array> {
  const feeds: Record<string, ort.Tensor> = { input_ids: new runtime.Tensor('int64', ids, [n, seq]) };
  if (session.inputNames.includes('attention_mask')) feeds.attention_mask = new runtime.Tensor('int64', new BigInt64Array(n * seq).fill(1n), [n, seq]);
  const output = (await session.run(feeds, ['logits'])).logits;
  if (!output) throw new OutputContractError('the model produced no `logits` output');
  if (output.type !== 'float32') throw new OutputContractError(`logits must be float32, got ${output.type}`);
  const dims = output.dims;
  if (dims.length !== 3 || dims[0] !== n || dims[1] !== seq || dims[2] !== TEXT_VOCAB) {
    throw new OutputContractError(`logits must have shape [${n}, ${seq}, ${TEXT_VOCAB}], got [${dims.join(', ')}]`);
  }
  return output.data as Float32Array;
}

export interface ResponseLogProbs {
  /** Per sequence: the sum over its response tokens of log p(token | everything before it), float64. */
  sums: Float64Array;
  /** null when the check was not asked for (the organiser's reference model). */
  causality: CausalityEvidence | null;
}

/**
 * Scores every packed sequence's response in batches of about `batchUnits` tokens. With a
 * `causalitySeed`, the model must also pass the causality check (causality.ts) on a seeded sample
 * of the packed sequences, so a model cannot read the response it is scored on; the spliced rows
 * run in the scoring batches (passLayout).
 */
export async function responseLogProbs(
  runtime: typeof ort,
  session: ort.InferenceSession,
  packed: PackedSequences,
  batchUnits: number,
  causalitySeed: string | null,
  method: CausalityMethod = CAUSALITY_METHOD,
): Promise<ResponseLogProbs> {
  const { count, seqLen, tokens, starts, ends } = packed;
  const batchSize = Math.max(1, Math.floor(batchUnits / seqLen));
  const checks = causalitySeed === null ? [] : planCausalityChecks(tokens, count, seqLen, causalitySeed, method, packed);
  const comparison = new CausalityComparison(method, checks, TEXT_VOCAB, logProbDeviation);
  const sums = new Float64Array(count);

  for (const batch of passLayout(count, checks, batchSize)) {
    const n = batch.length;
    const { ids, words } = tokenIds(n * seqLen);
    const spliced = new Uint8Array(seqLen);
    batch.forEach((row, b) => {
      if ('check' in row) splicedSequence(tokens, seqLen, checks[row.check], spliced);
      setTokens(words, b * seqLen, 'check' in row ? spliced : tokens.subarray(row.example * seqLen, (row.example + 1) * seqLen));
    });
    const logits = await runLogits(runtime, session, ids, n, seqLen);
    batch.forEach((row, b) => {
      if ('check' in row) {
        comparison.compare(row.check, logits, b * seqLen * TEXT_VOCAB);
        return;
      }
      const i = row.example;
      comparison.keep(i, logits, b * seqLen * TEXT_VOCAB);
      let sum = 0;
      for (let t = starts[i]; t < ends[i]; t += 1) sum -= crossEntropy(logits, (b * seqLen + t - 1) * TEXT_VOCAB, TEXT_VOCAB, tokens[i * seqLen + t]);
      if (!Number.isFinite(sum)) throw new OutputContractError(`logits give a non-finite log-probability for sequence ${i}`);
      sums[i] = sum;
    });
  }
  if (causalitySeed === null) return { sums, causality: null };
  if (comparison.violation) throw new NonCausalModelError(comparison.violation);
  return { sums, causality: comparison.evidence() };
}
