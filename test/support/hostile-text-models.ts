import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { buildModel, DataType, encodeModel, floatTensor, int64Tensor, intAttr, intsAttr, node, valueInfo } from '../../src/evaluation/onnx/onnx-builder';

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

/**
 * A cross-row look-ahead: at each response position t, every earlier row of the batch whose tokens
 * 0..t equal this row's votes (+20 logit) for its own token t+1; a row with no such twin is uniform. The
 * preference evaluator packs every chosen sequence before every rejected one, so a rejected row
 * puts its mass on its chosen twin's next token (its own wrong token gets about -20 nats where the
 * two differ) and never reads its own continuation; a chosen row has no earlier twin.
 */
export function twinRowCopyModel(): Uint8Array {
  return encodeModel(
    buildModel({
      name: 'twin_row_copy',
      nodes: [
        // same[r, p, s]: rows r and p hold the same token at s; prefix[r, p, t]: the same at every s <= t.
        node('Unsqueeze', ['input_ids', 'axis_1'], ['rows_r']),
        node('Unsqueeze', ['input_ids', 'axis_0'], ['rows_p']),
        node('Equal', ['rows_r', 'rows_p'], ['same']),
        node('Not', ['same'], ['differ']),
        node('Cast', ['differ'], ['differ_f'], [intAttr('to', DataType.FLOAT)]),
        node('CumSum', ['differ_f', 'axis_2_scalar'], ['mismatches']),
        node('Equal', ['mismatches', 'zero_f'], ['prefix']),
        node('Cast', ['prefix'], ['prefix_f'], [intAttr('to', DataType.FLOAT)]),
        // Only earlier rows: the evaluator packs every chosen response before every rejected one.
        node('Shape', ['input_ids'], ['ids_shape']),
        node('Gather', ['ids_shape', 'axis_0_scalar'], ['batch'], [intAttr('axis', 0)]),
        node('Range', ['zero_i', 'batch', 'one_i'], ['row_index']),
        node('Unsqueeze', ['row_index', 'axis_1'], ['row_index_col']),
        node('Less', ['row_index', 'row_index_col'], ['earlier']),
        node('Cast', ['earlier'], ['earlier_f'], [intAttr('to', DataType.FLOAT)]),
        node('Unsqueeze', ['earlier_f', 'axis_2'], ['earlier_3']),
        node('Mul', ['prefix_f', 'earlier_3'], ['earlier_prefix']),
        // Only in the response (an "=" at or before t), where the only earlier row with the same
        // tokens so far is the twin: elsewhere the model stays uniform, so unrelated rows that share
        // a prompt's first bytes give nothing away to the check.
        node('Equal', ['input_ids', 'equals_sign'], ['at_equals']),
        node('Cast', ['at_equals'], ['at_equals_f'], [intAttr('to', DataType.FLOAT)]),
        node('CumSum', ['at_equals_f', 'axis_1_scalar'], ['equals_seen']),
        node('Greater', ['equals_seen', 'zero_f'], ['in_response']),
        node('Cast', ['in_response'], ['in_response_f'], [intAttr('to', DataType.FLOAT)]),
        node('Unsqueeze', ['in_response_f', 'axis_1'], ['in_response_3']),
        node('Mul', ['earlier_prefix', 'in_response_3'], ['twins']),
        // next[p, t]: row p's token t+1 (0 past the end), as a one-hot vote of 20.
        node('Slice', ['input_ids', 'one_1', 'big_1', 'one_1'], ['ahead']),
        node('Pad', ['ahead', 'pad_end'], ['next']),
        node('OneHot', ['next', 'depth', 'off_on'], ['votes'], [intAttr('axis', -1)]),
        node('Einsum', ['twins', 'votes'], ['logits'], [{ name: 'equation', type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from('rpt,ptv->rtv') }]),
      ],
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', 'seq', VOCAB])],
      initializers: [
        int64Tensor('axis_0', [1], [0]),
        int64Tensor('axis_1', [1], [1]),
        int64Tensor('axis_2', [1], [2]),
        int64Tensor('axis_0_scalar', [], [0]),
        int64Tensor('axis_1_scalar', [], [1]),
        int64Tensor('axis_2_scalar', [], [2]),
        int64Tensor('equals_sign', [], ['='.charCodeAt(0)]),
        floatTensor('zero_f', [], [0]),
        int64Tensor('zero_i', [], [0]),
        int64Tensor('one_i', [], [1]),
        int64Tensor('one_1', [1], [1]),
        int64Tensor('big_1', [1], [1 << 30]),
        int64Tensor('pad_end', [4], [0, 0, 0, 1]),
        int64Tensor('depth', [], [VOCAB]),
        floatTensor('off_on', [2], [0, 20]),
      ],
    }),
  );
}

/**
 * An own-row look-ahead at one scored position per row: at the position of the prompt's "=" (it
 * predicts the response's first token), this model adds 20 to the logit of the token that follows
 * (it reads input_ids[t + 1]); everywhere else it is the base model. Unchecked it scores that
 * token at about 0 nats. Only a check whose cut is that very position replaces the token it reads.
 */
export function promptEndPeekModel(): Uint8Array {
  const model = onnx.ModelProto.decode(fs.readFileSync(BASE_MODEL));
  const graph = model.graph as onnx.GraphProto;
  for (const n of graph.node) n.output = (n.output ?? []).map((o) => (o === 'logits' ? 'base_logits' : o));
  graph.node.push(
    // next[b, t]: token t+1 (0 past the end), as a one-hot vote of 20.
    node('Slice', ['input_ids', 'one_1', 'big_1', 'one_1'], ['ahead']),
    node('Pad', ['ahead', 'pad_end'], ['next']),
    node('OneHot', ['next', 'depth', 'off_on'], ['votes'], [intAttr('axis', -1)]),
    // Only at the "=" positions.
    node('Equal', ['input_ids', 'equals_sign'], ['at_equals']),
    node('Cast', ['at_equals'], ['at_equals_f'], [intAttr('to', DataType.FLOAT)]),
    node('Unsqueeze', ['at_equals_f', 'last_axis'], ['at_equals_3']),
    node('Mul', ['at_equals_3', 'votes'], ['bonus']),
    node('Add', ['base_logits', 'bonus'], ['logits']),
  );
  graph.initializer.push(
    onnx.TensorProto.create(int64Tensor('one_1', [1], [1])),
    onnx.TensorProto.create(int64Tensor('big_1', [1], [1 << 30])),
    onnx.TensorProto.create(int64Tensor('pad_end', [4], [0, 0, 0, 1])),
    onnx.TensorProto.create(int64Tensor('depth', [], [VOCAB])),
    onnx.TensorProto.create(floatTensor('off_on', [2], [0, 20])),
    onnx.TensorProto.create(int64Tensor('equals_sign', [], ['='.charCodeAt(0)])),
    onnx.TensorProto.create(int64Tensor('last_axis', [1], [-1])),
  );
  return onnx.ModelProto.encode(model).finish();
}
