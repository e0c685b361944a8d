import { onnx } from 'onnx-proto';
import {
  buildModel,
  DataType,
  encodeModel,
  floatAttr,
  floatTensor,
  int64Tensor,
  intAttr,
  intsAttr,
  node,
  tableLanguageModel,
  valueInfo,
} from '../../src/evaluation/onnx/onnx-builder';

/** Hand-built ONNX models for the evaluation suites: well-behaved ones with known losses, and hostile ones. */

// Read once: a global read in these table loops is a slow lookup where the global object is a vm
// context's, as in every jest suite.
const { exp, imul, log } = Math;

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
    for (let b = 0; b < VOCAB; b += 1) table[a * VOCAB + b] = log(counts[a * VOCAB + b] / total);
  }
  return table;
}

/**
 * The causal-lm metric of a bigram table on test sequences, worked out here from the table (not by
 * the evaluator): per sequence the mean next-token cross-entropy, then the mean over sequences.
 */
export function bigramLoss(table: Float32Array, sequences: Uint8Array[]): number {
  let total = 0;
  for (const seq of sequences) {
    let sum = 0;
    for (let t = 0; t + 1 < seq.length; t += 1) {
      const row = seq[t] * VOCAB;
      let z = 0;
      for (let b = 0; b < VOCAB; b += 1) z += exp(table[row + b]);
      sum += log(z) - table[row + seq[t + 1]];
    }
    total += sum / (seq.length - 1);
  }
  return total / sequences.length;
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

/** A float tensor whose data lives in an external file (`locations`: one "location" entry each). */
function externalTensor(name: string, dims: number[], ...locations: string[]): onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: DataType.FLOAT,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [...locations.map((value) => ({ key: 'location', value })), { key: 'offset', value: '0' }, { key: 'length', value: String(dims.reduce((a, b) => a * b, 1) * 4) }],
  };
}

/** A sparse [4] float tensor: two values (external) at indices 0 and 2 (inline). */
function externalSparse(name: string, location: string): onnx.ISparseTensorProto {
  return { dims: [4], values: externalTensor(name, [2], location), indices: { name: `${name}_idx`, dims: [2], dataType: DataType.INT64, int64Data: [0, 2] } };
}

/** The uniform model with extra graph content; `extend` adds it to the decoded model. */
function uniformWith(extend: (model: onnx.ModelProto, graph: onnx.GraphProto) => void): Uint8Array {
  const model = onnx.ModelProto.decode(uniformModel());
  extend(model, model.graph as onnx.GraphProto);
  return onnx.ModelProto.encode(model).finish();
}

/** Where external data can hide besides a dense initializer; each case references `location`. */
export const externalDataHidingPlaces: Record<string, (location: string) => Uint8Array> = {
  // graph.sparse_initializer: the values of a sparse initializer.
  'a sparse initializer': (location) => uniformWith((_m, g) => g.sparseInitializer.push(onnx.SparseTensorProto.create(externalSparse('sparse_init', location)))),
  // A Constant node's sparse_value attribute (AttributeProto.sparse_tensor).
  'a sparse tensor attribute': (location) =>
    uniformWith((_m, g) =>
      g.node.push(onnx.NodeProto.create(node('Constant', [], ['unused_sparse'], [{ name: 'sparse_value', type: onnx.AttributeProto.AttributeType.SPARSE_TENSOR, sparseTensor: externalSparse('sparse_attr', location) }]))),
    ),
  // AttributeProto.sparse_tensors (a list), on a node of the default domain.
  'a list of sparse tensors in an attribute': (location) =>
    uniformWith((_m, g) =>
      g.node.push(
        onnx.NodeProto.create(node('Identity', ['table'], ['unused_list'], [{ name: 'hidden', type: onnx.AttributeProto.AttributeType.SPARSE_TENSORS, sparseTensors: [externalSparse('sparse_list', location)] }])),
      ),
    ),
  // An initializer two subgraphs deep: If -> then_branch -> If -> else_branch.
  'a nested subgraph': (location) =>
    uniformWith((_m, g) => {
      const leaf: onnx.IGraphProto = { name: 'leaf', initializer: [externalTensor('deep', [4], location)], node: [node('Identity', ['deep'], ['leaf_out'])], output: [valueInfo('leaf_out', DataType.FLOAT, [4])] };
      const plain: onnx.IGraphProto = { name: 'plain', initializer: [floatTensor('zeros', [4], [0, 0, 0, 0])], node: [node('Identity', ['zeros'], ['plain_out'])], output: [valueInfo('plain_out', DataType.FLOAT, [4])] };
      const inner: onnx.IGraphProto = {
        name: 'inner',
        node: [node('If', ['flag'], ['inner_out'], [{ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: plain }, { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: leaf }])],
        output: [valueInfo('inner_out', DataType.FLOAT, [4])],
      };
      g.initializer.push(onnx.TensorProto.create({ name: 'flag', dims: [], dataType: DataType.BOOL, rawData: new Uint8Array([1]) }));
      g.node.push(
        onnx.NodeProto.create(node('If', ['flag'], ['outer_out'], [{ name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: inner }, { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: plain }])),
      );
    }),
  // ModelProto.training_info: an initialization graph with its own initializer.
  'a training-info graph': (location) =>
    uniformWith((m) => m.trainingInfo.push(onnx.TrainingInfoProto.create({ initialization: { name: 'init', initializer: [externalTensor('train_init', [4], location)] } }))),
  // Two "location" entries: a checker reading the first and a runtime reading the last disagree.
  'a second location entry': (location) =>
    uniformWith((_m, g) => {
      const table = g.initializer[0];
      table.rawData = new Uint8Array(0);
      table.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      table.externalData = externalTensor('table', [VOCAB, VOCAB], 'weights.bin', location).externalData!.map((e) => onnx.StringStringEntryProto.create(e));
    }),
};

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

// --- Look-ahead models: each reads tokens it is asked to predict (the causality check must reject them).

const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** `ids` shifted left by `k` (the token k places ahead at every position), zero-padded at the end. */
function aheadNodes(k: number, out: string): onnx.INodeProto[] {
  return [
    node('Slice', ['input_ids', `ahead${k}_start`, `ahead${k}_end`, `ahead${k}_axes`], [`ahead${k}_sliced`]),
    node('Pad', [`ahead${k}_sliced`, `ahead${k}_pads`], [out]),
  ];
}
function aheadInits(k: number): onnx.ITensorProto[] {
  return [int64Tensor(`ahead${k}_start`, [1], [k]), int64Tensor(`ahead${k}_end`, [1], [INT64_MAX]), int64Tensor(`ahead${k}_axes`, [1], [1]), int64Tensor(`ahead${k}_pads`, [4], [0, 0, 0, k])];
}

/** logits[t] = one-hot of input_ids[t + k] (k = 1: the three-node model of issue 19). */
export function lookAheadModel(k = 1): Uint8Array {
  return encodeModel(
    buildModel({
      name: `look_ahead_${k}`,
      nodes: [...aheadNodes(k, 'next'), node('OneHot', ['next', 'depth', 'onoff'], ['logits'], [intAttr('axis', -1)])],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [...aheadInits(k), int64Tensor('depth', [], [VOCAB]), floatTensor('onoff', [2], [-20, 20])],
    }),
  );
}

/** An honest table model that cheats only where the next byte is a space (a strong boost of ' ' there). */
export function spaceLookAheadModel(table: Float32Array): Uint8Array {
  const boost = new Float32Array(VOCAB);
  boost[32] = 30;
  return encodeModel(
    buildModel({
      name: 'space_look_ahead',
      nodes: [
        node('Gather', ['table', 'input_ids'], ['honest'], [intAttr('axis', 0)]),
        ...aheadNodes(1, 'next'),
        node('Equal', ['next', 'space'], ['is_space']),
        node('Unsqueeze', ['is_space', 'last_axis'], ['is_space3']),
        node('Where', ['is_space3', 'boost', 'zero_row'], ['extra']),
        node('Add', ['honest', 'extra'], ['logits']),
      ],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [
        floatTensor('table', [VOCAB, VOCAB], table),
        ...aheadInits(1),
        int64Tensor('space', [], [32]),
        int64Tensor('last_axis', [1], [-1]),
        floatTensor('boost', [VOCAB], boost),
        floatTensor('zero_row', [VOCAB], new Float32Array(VOCAB)),
      ],
    }),
  );
}

/**
 * Look-ahead hidden in an `If` subgraph behind a shape-dependent condition: it cheats only when the
 * batch has `cheatBatch` rows (the scoring pass's full batches) and is an honest table model otherwise.
 */
export function batchShapeBranchModel(table: Float32Array, cheatBatch: number): Uint8Array {
  const subgraph = (name: string, nodes: onnx.INodeProto[], inits: onnx.ITensorProto[]): onnx.IGraphProto => ({
    name,
    node: nodes,
    input: [],
    output: [valueInfo(`${name}_logits`, DataType.FLOAT, ['batch', 'seq', VOCAB])],
    initializer: inits,
  });
  const cheat = subgraph('cheat', [...aheadNodes(1, 'next'), node('OneHot', ['next', 'depth', 'onoff'], ['cheat_logits'], [intAttr('axis', -1)])], [...aheadInits(1), int64Tensor('depth', [], [VOCAB]), floatTensor('onoff', [2], [-20, 20])]);
  const honest = subgraph('honest', [node('Gather', ['table', 'input_ids'], ['honest_logits'], [intAttr('axis', 0)])], []);
  return encodeModel(
    buildModel({
      name: 'batch_shape_branch',
      nodes: [
        node('Shape', ['input_ids'], ['shape']),
        node('Gather', ['shape', 'zero_index'], ['batch_size'], [intAttr('axis', 0)]),
        node('Equal', ['batch_size', 'cheat_batch'], ['is_full']),
        node('If', ['is_full'], ['logits'], [
          { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: cheat },
          { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: honest },
        ]),
      ],
      inputs: lmInputs,
      outputs: lmOutputs,
      initializers: [floatTensor('table', [VOCAB, VOCAB], table), int64Tensor('zero_index', [], [0]), int64Tensor('cheat_batch', [], [cheatBatch])],
    }),
  );
}

/**
 * An honest small decoder-only transformer (one head, causal mask, MLP) with seeded random weights.
 * Shared with bench/eval-throughput.ts.
 */
export function transformerModel(width: number, layers: number, seed = 12345, seqLen = 128): Uint8Array {
  let state = seed >>> 0;
  const rand = (n: number, scale: number): Float32Array =>
    Float32Array.from({ length: n }, () => {
      state = (imul(state, 1103515245) + 12345) >>> 0;
      return ((state / 2 ** 32) * 2 - 1) * scale;
    });
  const mask = new Float32Array(seqLen * seqLen);
  for (let i = 0; i < seqLen; i += 1) for (let j = i + 1; j < seqLen; j += 1) mask[i * seqLen + j] = -1e9;
  const nodes = [node('Gather', ['emb', 'input_ids'], ['x0'], [intAttr('axis', 0)])];
  const inits = [floatTensor('emb', [VOCAB, width], rand(VOCAB * width, 0.5)), floatTensor('mask', [seqLen, seqLen], mask)];
  let x = 'x0';
  for (let l = 0; l < layers; l += 1) {
    const p = (s: string): string => `l${l}_${s}`;
    for (const w of ['wq', 'wk', 'wv', 'wo']) inits.push(floatTensor(p(w), [width, width], rand(width * width, 1 / Math.sqrt(width))));
    inits.push(floatTensor(p('w1'), [width, 4 * width], rand(4 * width * width, 1 / Math.sqrt(width))));
    inits.push(floatTensor(p('w2'), [4 * width, width], rand(4 * width * width, 1 / Math.sqrt(4 * width))));
    nodes.push(
      node('LayerNormalization', [x, 'ln_scale', 'ln_bias'], [p('n1')], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)]),
      node('MatMul', [p('n1'), p('wq')], [p('q')]),
      node('MatMul', [p('n1'), p('wk')], [p('k')]),
      node('MatMul', [p('n1'), p('wv')], [p('v')]),
      node('Transpose', [p('k')], [p('kt')], [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', [p('q'), p('kt')], [p('s0')]),
      node('Mul', [p('s0'), 'scale'], [p('s1')]),
      node('Add', [p('s1'), 'mask'], [p('s2')]),
      node('Softmax', [p('s2')], [p('a')], [intAttr('axis', -1)]),
      node('MatMul', [p('a'), p('v')], [p('c')]),
      node('MatMul', [p('c'), p('wo')], [p('o')]),
      node('Add', [x, p('o')], [p('r1')]),
      node('LayerNormalization', [p('r1'), 'ln_scale', 'ln_bias'], [p('n2')], [intAttr('axis', -1), floatAttr('epsilon', 1e-5)]),
      node('MatMul', [p('n2'), p('w1')], [p('h0')]),
      node('Relu', [p('h0')], [p('h1')]),
      node('MatMul', [p('h1'), p('w2')], [p('m')]),
      node('Add', [p('r1'), p('m')], [p('out')]),
    );
    x = p('out');
  }
  inits.push(
    floatTensor('ln_scale', [width], new Float32Array(width).fill(1)),
    floatTensor('ln_bias', [width], new Float32Array(width)),
    floatTensor('scale', [1], [1 / Math.sqrt(width)]),
    floatTensor('unembed', [width, VOCAB], rand(width * VOCAB, 1 / Math.sqrt(width))),
  );
  nodes.push(node('MatMul', [x, 'unembed'], ['logits']));
  return encodeModel(
    buildModel({
      name: 'transformer',
      nodes,
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', seqLen])],
      outputs: [valueInfo('logits', DataType.FLOAT, ['batch', seqLen, VOCAB])],
      initializers: inits,
    }),
  );
}
