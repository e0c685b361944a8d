import { onnx } from 'onnx-proto';
import { buildModel, DataType, encodeModel, floatTensor, int64Tensor, intAttr, node, tableLanguageModel, valueInfo } from '../../src/evaluation/onnx/onnx-builder';

/** Hand-built models for the text task types (byte tokens, vocab 256, the bigram table contract). */

const VOCAB = 256;

/**
 * A bigram model given by probabilities: `rows[a][b]` is p(next = b | current = a) for the bytes
 * listed; the rest of row a shares what is left equally. Rows not listed are uniform. Logits are
 * the log-probabilities (float32).
 */
export function bigramFromProbabilities(rows: Record<string, Record<string, number>>): Uint8Array {
  const table = new Float32Array(VOCAB * VOCAB).fill(Math.log(1 / VOCAB));
  for (const [a, row] of Object.entries(rows)) {
    const given = Object.entries(row);
    const rest = (1 - given.reduce((s, [, p]) => s + p, 0)) / (VOCAB - given.length);
    const r = a.charCodeAt(0);
    for (let b = 0; b < VOCAB; b += 1) table[r * VOCAB + b] = Math.log(rest);
    for (const [b, p] of given) table[r * VOCAB + b.charCodeAt(0)] = Math.log(p);
  }
  return tableLanguageModel(table, VOCAB);
}

/**
 * A table model slowed down on every run: a Loop of `trips` additions runs before the logits, so
 * each generated token costs about the same fixed time however short the sequence.
 */
export function slowPerTokenModel(trips: number): Uint8Array {
  const body: onnx.IGraphProto = {
    name: 'body',
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['x_in', 'zero'], ['x_out'])],
    input: [valueInfo('iter', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), valueInfo('x_in', DataType.FLOAT, [1])],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('x_out', DataType.FLOAT, [1])],
    initializer: [floatTensor('zero', [1], [0])],
  };
  const trueTensor: onnx.ITensorProto = { name: 'cond', dims: [], dataType: DataType.BOOL, rawData: new Uint8Array([1]) };
  return encodeModel(
    buildModel({
      nodes: [
        node('Loop', ['trip', 'cond', 'x0'], ['x_final'], [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }]),
        node('Gather', ['table', 'input_ids'], ['g'], [intAttr('axis', 0)]),
        node('Add', ['g', 'x_final'], ['logits']),
      ],
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', 'seq', VOCAB])],
      initializers: [int64Tensor('trip', [], [trips]), trueTensor, floatTensor('x0', [1], [0]), floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB))],
    }),
  );
}
