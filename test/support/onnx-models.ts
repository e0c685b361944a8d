import { onnx } from 'onnx-proto';
import {
  buildModel,
  DataType,
  encodeModel,
  floatTensor,
  int64Tensor,
  intAttr,
  node,
  tableLanguageModel,
  valueInfo,
} from '../../src/evaluation/onnx/onnx-builder';

/** Hand-built ONNX models for the evaluation suites: well-behaved ones with known losses, and hostile ones. */

const VOCAB = 256;
const lmInputs = [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])];
const lmOutputs = [valueInfo('logits', DataType.FLOAT, ['batch', 'seq', VOCAB])];

/** A bigram table (add-one smoothed log-probabilities, rounded to float32) from training tokens. */
export function bigramTable(train: Uint8Array): Float32Array {
  const counts = new Float64Array(VOCAB * VOCAB).fill(1);
  for (let i = 0; i + 1 < train.length; i += 1) counts[train[i] * VOCAB + train[i + 1]] += 1;
  const table = new Float32Array(VOCAB * VOCAB);
  for (let a = 0; a < VOCAB; a += 1) {
    let total = 0;
    for (let b = 0; b < VOCAB; b += 1) total += counts[a * VOCAB + b];
    for (let b = 0; b < VOCAB; b += 1) table[a * VOCAB + b] = Math.log(counts[a * VOCAB + b] / total);
  }
  return table;
}

export const bigramModel = (table: Float32Array): Uint8Array => tableLanguageModel(table, VOCAB);
export const uniformModel = (): Uint8Array => tableLanguageModel(new Float32Array(VOCAB * VOCAB), VOCAB);

/** The table model, plus a Gather table that lives in an external file at `location`. */
export function externalDataModel(location: string): Uint8Array {
  const model = onnx.ModelProto.decode(uniformModel());
  const table = (model.graph as onnx.GraphProto).initializer[0];
  table.rawData = new Uint8Array(0);
  table.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  table.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(VOCAB * VOCAB * 4) },
  ];
  return onnx.ModelProto.encode(model).finish();
}

export function customDomainModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('EvilOp', ['input_ids'], ['logits'], [], 'com.evil')],
      inputs: lmInputs,
      outputs: lmOutputs,
      extraOpsets: [{ domain: 'com.evil', version: 1 }],
    }),
  );
}

export function wrongInputNameModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Gather', ['table', 'tokens'], ['logits'], [intAttr('axis', 0)])],
      inputs: [valueInfo('tokens', DataType.INT64, ['batch', 'seq'])],
      outputs: lmOutputs,
      initializers: [floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB))],
    }),
  );
}

/** An initializer that claims 2^40 elements (and carries none). */
export function hugeDimensionModel(): Uint8Array {
  const model = onnx.ModelProto.decode(uniformModel());
  (model.graph as onnx.GraphProto).initializer.push(onnx.TensorProto.create({ name: 'huge', dims: [2 ** 40], dataType: DataType.FLOAT }));
  return onnx.ModelProto.encode(model).finish();
}

/** ConstantOfShape with a constant 2^20 x 2^20 shape. */
export function constantHugeAllocationModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [
        node('ConstantOfShape', ['shape'], ['big']),
        node('ReduceSum', ['big'], ['s'], [intAttr('keepdims', 0)]),
        node('Gather', ['table', 'input_ids'], ['g'], [intAttr('axis', 0)]),
        node('Add', ['g', 's'], ['logits']),
      ],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [int64Tensor('shape', [2], [2 ** 20, 2 ** 20]), floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB))],
    }),
  );
}

/** The huge shape is computed from the input at run time, so only the runtime limits can stop it. */
export function runtimeHugeAllocationModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [
        node('Shape', ['input_ids'], ['in_shape']),
        node('Mul', ['in_shape', 'factor'], ['big_shape']),
        node('ConstantOfShape', ['big_shape'], ['big']),
        node('ReduceSum', ['big'], ['s'], [intAttr('keepdims', 0)]),
        node('Gather', ['table', 'input_ids'], ['g'], [intAttr('axis', 0)]),
        node('Add', ['g', 's'], ['logits']),
      ],
      inputs: lmInputs,
      outputs: lmOutputs,
      // [batch * 1024, seq * 1024] floats: many GiB for any real batch.
      initializers: [int64Tensor('factor', [2], [1024, 1024]), floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB))],
    }),
  );
}

/** A Loop with an (almost) unbounded trip count and an always-true condition. */
export function endlessLoopModel(): Uint8Array {
  const body: onnx.IGraphProto = {
    name: 'body',
    node: [node('Identity', ['cond_in'], ['cond_out']), node('Add', ['x_in', 'one'], ['x_out'])],
    input: [valueInfo('iter', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), valueInfo('x_in', DataType.FLOAT, [1])],
    output: [valueInfo('cond_out', DataType.BOOL, []), valueInfo('x_out', DataType.FLOAT, [1])],
    initializer: [floatTensor('one', [1], [1])],
  };
  const trueTensor: onnx.ITensorProto = { name: 'cond', dims: [], dataType: DataType.BOOL, rawData: new Uint8Array([1]) };
  return encodeModel(
    buildModel({
      nodes: [
        node('Loop', ['trip', 'cond', 'x0'], ['x_final'], [{ name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: body }]),
        node('Gather', ['table', 'input_ids'], ['g'], [intAttr('axis', 0)]),
        node('Add', ['g', 'x_final'], ['logits']),
      ],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [
        int64Tensor('trip', [], [Number.MAX_SAFE_INTEGER]),
        trueTensor,
        floatTensor('x0', [1], [0]),
        floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB)),
      ],
    }),
  );
}

/** Outputs NaN logits (log of a negative number). */
export function nanOutputModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Gather', ['table', 'input_ids'], ['g'], [intAttr('axis', 0)]), node('Log', ['g'], ['logits'])],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [floatTensor('table', [VOCAB, VOCAB], new Float32Array(VOCAB * VOCAB).fill(-1))],
    }),
  );
}

/** Declares a dynamic vocabulary axis but produces 128 columns. */
export function wrongVocabAtRuntimeModel(): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Gather', ['table', 'input_ids'], ['logits'], [intAttr('axis', 0)])],
      inputs: lmInputs,
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', 'seq', 'vocab'])],
      initializers: [floatTensor('table', [VOCAB, 128], new Float32Array(VOCAB * 128))],
    }),
  );
}

export function opsetModel(opset: number): Uint8Array {
  const model = onnx.ModelProto.decode(uniformModel());
  model.opsetImport = [{ domain: '', version: opset }];
  return onnx.ModelProto.encode(model).finish();
}
