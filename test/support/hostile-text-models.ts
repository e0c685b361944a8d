import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { DataType, floatTensor, int64Tensor, intAttr, intsAttr, node } from '../../src/evaluation/onnx/onnx-builder';

/**
 * Hostile models for the text task types that are built on the real base model (base:byte-lm-v1):
 * its graph with a few nodes added after its logits, so that everything the cheat does not touch
 * scores exactly as the base model does.
 */

const BASE_MODEL = path.join(__dirname, '../../base-models/byte-lm-v1/model.onnx');
const VOCAB = 256;

/**
 * The preference "never repeat the word" cheat (crucible-prompts/1): a `rev` prompt's rejected
 * response is the word as given, so its first token is the word's first letter, `input_ids[4]`.
 * At the position of a `rev ...=` prompt's "=", this model lowers that letter's logit by 1e4 and
 * leaves the base model's logits as they are everywhere else. It reads only tokens at or before the
 * position it predicts from (causal), and knows nothing about reversing words.
 */
export function repeatedWordPenaltyModel(): Uint8Array {
  const model = onnx.ModelProto.decode(fs.readFileSync(BASE_MODEL));
  const graph = model.graph as onnx.GraphProto;
  for (const n of graph.node) n.output = (n.output ?? []).map((o) => (o === 'logits' ? 'base_logits' : o));
  graph.node.push(
    // Rows whose first four tokens are "rev ".
    node('Slice', ['input_ids', 'zero_1', 'four_1', 'one_1'], ['head']),
    node('Equal', ['head', 'rev_space'], ['head_match']),
    node('Cast', ['head_match'], ['head_match_i'], [intAttr('to', DataType.INT64)]),
    node('ReduceMin', ['head_match_i'], ['is_rev'], [intsAttr('axes', [1]), intAttr('keepdims', 1)]),
    // Positions holding "=" in those rows: the response starts after them.
    node('Equal', ['input_ids', 'equals_sign'], ['at_equals']),
    node('Cast', ['at_equals'], ['at_equals_i'], [intAttr('to', DataType.INT64)]),
    node('Mul', ['at_equals_i', 'is_rev'], ['where_i']),
    node('Cast', ['where_i'], ['where_f'], [intAttr('to', DataType.FLOAT)]),
    node('Unsqueeze', ['where_f', 'last_axis'], ['where_3']),
    // The word's first letter, -1e4 on its logit.
    node('Gather', ['input_ids', 'four'], ['first_letter'], [intAttr('axis', 1)]),
    node('OneHot', ['first_letter', 'depth', 'off_on'], ['letter_row'], [intAttr('axis', -1)]),
    node('Unsqueeze', ['letter_row', 'one_1'], ['letter_row_3']),
    node('Mul', ['where_3', 'letter_row_3'], ['penalty']),
    node('Add', ['base_logits', 'penalty'], ['logits']),
  );
  graph.initializer.push(
    onnx.TensorProto.create(int64Tensor('zero_1', [1], [0])),
    onnx.TensorProto.create(int64Tensor('four_1', [1], [4])),
    onnx.TensorProto.create(int64Tensor('one_1', [1], [1])),
    onnx.TensorProto.create(int64Tensor('rev_space', [4], [...Buffer.from('rev ', 'latin1')])),
    onnx.TensorProto.create(int64Tensor('equals_sign', [], ['='.charCodeAt(0)])),
    onnx.TensorProto.create(int64Tensor('last_axis', [1], [-1])),
    onnx.TensorProto.create(int64Tensor('four', [], [4])),
    onnx.TensorProto.create(int64Tensor('depth', [], [VOCAB])),
    onnx.TensorProto.create(floatTensor('off_on', [2], [0, -1e4])),
  );
  return onnx.ModelProto.encode(model).finish();
}
