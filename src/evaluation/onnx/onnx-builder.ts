import { onnx } from 'onnx-proto';

/**
 * Small helpers to write ONNX models by hand (baseline models, the benchmark model, test fixtures).
 * Models use IR version 8 and the default domain at opset 17.
 */
export const DEFAULT_OPSET = 17;
export const IR_VERSION = 8;

export type Dim = number | string;
export const DataType = onnx.TensorProto.DataType;

export function valueInfo(name: string, elemType: number, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: onnx.IAttributeProto[] = [], domain?: string): onnx.INodeProto {
  return { opType, input: inputs, output: outputs, attribute: attributes, name: `${opType}_${outputs[0]}`, ...(domain === undefined ? {} : { domain }) };
}

export function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function intsAttr(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

export function floatAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

export interface GraphSpec {
  nodes: onnx.INodeProto[];
  inputs: onnx.IValueInfoProto[];
  outputs: onnx.IValueInfoProto[];
  initializers?: onnx.ITensorProto[];
  opset?: number;
  extraOpsets?: onnx.IOperatorSetIdProto[];
  name?: string;
}

export function buildModel(spec: GraphSpec): onnx.IModelProto {
  return {
    irVersion: IR_VERSION,
    producerName: 'crucible',
    opsetImport: [{ domain: '', version: spec.opset ?? DEFAULT_OPSET }, ...(spec.extraOpsets ?? [])],
    graph: {
      name: spec.name ?? 'graph',
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers ?? [],
    },
  };
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/**
 * causal-lm model whose logits at every position are row `input_ids[b, t]` of `table` [vocab, vocab]
 * (a bigram model; identical rows give a unigram model). Rows should be log-probabilities.
 */
export function tableLanguageModel(table: Float32Array | number[], vocab: number): Uint8Array {
  return encodeModel(
    buildModel({
      name: 'table_lm',
      nodes: [node('Gather', ['table', 'input_ids'], ['logits'], [intAttr('axis', 0)])],
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq'])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', 'seq', vocab])],
      initializers: [floatTensor('table', [vocab, vocab], table)],
    }),
  );
}

/** classification model: logits = features @ weights + bias. */
export function linearClassifier(weights: ArrayLike<number>, bias: ArrayLike<number>, dim: number, classes: number): Uint8Array {
  return encodeModel(
    buildModel({
      name: 'linear_classifier',
      nodes: [node('MatMul', ['features', 'weights'], ['scores']), node('Add', ['scores', 'bias'], ['logits'])],
      inputs: [valueInfo('features', DataType.FLOAT, ['batch', dim])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', classes])],
      initializers: [floatTensor('weights', [dim, classes], weights), floatTensor('bias', [classes], bias)],
    }),
  );
}
