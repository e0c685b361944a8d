import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { EvaluationErrorCode as Code, ModelRejectedError } from './evaluation.errors';
import { buildModel, DataType, encodeModel, floatAttr, floatTensor, int64Tensor, intAttr, intsAttr, node, valueInfo } from './onnx/onnx-builder';
import type { ModelContract, TensorContract } from './task-types/task-evaluator';
import { errorMessage } from '../common/error-message';

/**
 * Static checks of an untrusted model.onnx before any inference. Each failure is a
 * ModelRejectedError whose message is the reason shown to the miner.
 */
export interface ModelCheckLimits {
  maxModelBytes: number;
  /** No single tensor (initializer, constant, declared value, constant shape) may exceed this. */
  maxTensorBytes: number;
  minOpset: number;
  maxOpset: number;
}

export const OPSET_RANGE = { min: 7, max: 24 } as const;
/** Default ONNX domains; anything else (com.microsoft contrib ops, custom ops, local functions) is refused. */
export const ALLOWED_DOMAINS: ReadonlySet<string> = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

export interface CheckedModel {
  opset: number;
  inputs: string[];
  outputs: string[];
  nodeCount: number;
  externalFiles: string[];
}

type Long = { toString(): string };
const num = (v: number | Long | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(v.toString()));

const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2 };
const TYPE_NAMES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };
const typeName = (t: number): string => TYPE_NAMES[t] ?? `type ${t}`;

/** Shape-valued inputs of ops that allocate by them: (op type, input index). */
const SHAPE_INPUTS: Record<string, number> = { ConstantOfShape: 0, Expand: 1, Reshape: 1 };

export async function checkModelFile(modelPath: string, artifactDir: string, contract: ModelContract, limits: ModelCheckLimits): Promise<CheckedModel> {
  let size: number;
  try {
    const stat = await fs.promises.stat(modelPath);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch {
    throw new ModelRejectedError(Code.ModelMissing, 'model.onnx is missing or not a regular file');
  }
  if (size > limits.maxModelBytes) {
    throw new ModelRejectedError(Code.ModelTooLarge, `model.onnx is ${size} bytes; the limit is ${limits.maxModelBytes}`, { size, limit: limits.maxModelBytes });
  }
  const bytes = await fs.promises.readFile(modelPath);
  return checkModelBytes(bytes, contract, limits, (location) => resolveExternalData(artifactDir, location));
}

/**
 * Checks a model of Crucible's own a few times, so that the decoder and the checks are compiled
 * before the first untrusted model comes (a worker does this while it waits: it took about 15 ms
 * of each evaluation's checks otherwise). The model has what real ones have: initializers, Constant
 * nodes holding tensors, int, ints and float attributes, a constant shape fed to Reshape, and
 * symbolic and fixed dimensions.
 */
export function warmModelChecks(): void {
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let x = 'x';
  for (let i = 0; i < WARM_MODEL_LAYERS; i += 1) {
    initializers.push(floatTensor(`w${i}`, [4], [1, 2, 3, 4]));
    nodes.push(node('Constant', [], [`shape${i}`], [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: int64Tensor(`s${i}`, [2], [-1, 4]) }]));
    nodes.push(node('Add', [x, `w${i}`], [`a${i}`]));
    nodes.push(node('Reshape', [`a${i}`, `shape${i}`], [`r${i}`], [intAttr('allowzero', 0)]));
    nodes.push(node('LeakyRelu', [`r${i}`], [`y${i}`], [floatAttr('alpha', 0.1)]));
    nodes.push(node('ReduceMean', [`y${i}`], [`m${i}`], [intsAttr('axes', [1]), intAttr('keepdims', 1)]));
    x = `y${i}`;
  }
  const bytes = encodeModel(buildModel({ nodes, inputs: [valueInfo('x', DataType.FLOAT, ['batch', 4])], outputs: [valueInfo(x, DataType.FLOAT, ['batch', 4])], initializers }));
  const contract: ModelContract = { inputs: [{ name: 'x', elemType: DataType.FLOAT, rank: 2, dims: [null, 4] }], outputs: [{ name: x, elemType: DataType.FLOAT, rank: 2, dims: [null, 4] }] };
  const limits: ModelCheckLimits = { maxModelBytes: bytes.length, maxTensorBytes: 1024, minOpset: OPSET_RANGE.min, maxOpset: OPSET_RANGE.max };
  for (let round = 0; round < WARM_ROUNDS; round += 1) checkModelBytes(bytes, contract, limits, () => null);
}

const WARM_MODEL_LAYERS = 25;
const WARM_ROUNDS = 3;

/**
 * External data must be a relative path without `..` naming a regular file inside the artifact
 * directory, reached without any link (no component may be a symlink, even one pointing inside).
 * Returns a reason when it does not.
 */
export function resolveExternalData(artifactDir: string, location: string): string | null {
  if (location === '' || path.isAbsolute(location) || location.includes('\\') || location.includes('\0')) return `external data path "${location}" must be a relative path`;
  if (location.split('/').includes('..')) return `external data path "${location}" must not contain ".."`;
  try {
    const root = fs.realpathSync(artifactDir);
    const target = path.join(root, location);
    if (!target.startsWith(root + path.sep)) return `external data path "${location}" leaves the artifact directory`;
    // realpath differs from the plain join exactly when some component is a link.
    if (fs.realpathSync(target) !== target) return `external data path "${location}" goes through a link`;
    if (!fs.lstatSync(target).isFile()) return `external data path "${location}" is not a regular file`;
  } catch {
    return `external data file "${location}" does not exist in the artifact directory`;
  }
  return null;
}

export function checkModelBytes(
  bytes: Uint8Array,
  contract: ModelContract,
  limits: ModelCheckLimits,
  checkExternal: (location: string) => string | null,
): CheckedModel {
  if (bytes.length > limits.maxModelBytes) throw new ModelRejectedError(Code.ModelTooLarge, `model.onnx is ${bytes.length} bytes; the limit is ${limits.maxModelBytes}`);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new ModelRejectedError(Code.ModelNotProtobuf, `model.onnx is not a valid ONNX protobuf (${errorMessage(cause)})`);
  }
  const graph = model.graph;
  if (!graph || num(model.irVersion) < 3 || (graph.node ?? []).length === 0) {
    throw new ModelRejectedError(Code.ModelNotProtobuf, 'model.onnx is not an ONNX model (no graph, no nodes or no IR version)');
  }

  // Opsets: only default domains, default domain within range.
  let opset = -1;
  for (const imp of model.opsetImport) {
    const domain = imp.domain ?? '';
    if (!ALLOWED_DOMAINS.has(domain)) throw new ModelRejectedError(Code.CustomOperatorDomain, `operator domain "${domain}" is not allowed (only the default ONNX domains)`);
    if (domain === '' || domain === 'ai.onnx') opset = num(imp.version);
  }
  if (opset < limits.minOpset || opset > limits.maxOpset) {
    throw new ModelRejectedError(Code.OpsetUnsupported, `default-domain opset ${opset} is outside the supported range ${limits.minOpset}-${limits.maxOpset}`);
  }
  if ((model.functions ?? []).length > 0) throw new ModelRejectedError(Code.CustomOperatorDomain, 'model-local functions are not allowed');

  const externalFiles = new Set<string>();
  const constants = new Map<string, onnx.ITensorProto>();
  let nodeCount = 0;

  const checkTensor = (t: onnx.ITensorProto, where: string): void => {
    const dims = (t.dims ?? []).map(num);
    checkElements(dims, ELEM_BYTES[t.dataType ?? 1] ?? 8, `tensor "${t.name ?? where}"`, limits);
    const external = t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0;
    if (!external) return;
    // Runtimes differ on which of several "location" entries wins: more than one is refused.
    const locations = (t.externalData ?? []).filter((e) => e.key === 'location').map((e) => e.value ?? '');
    if (locations.length !== 1) {
      throw new ModelRejectedError(Code.ExternalDataOutsideArtifact, `tensor "${t.name ?? where}" has ${locations.length} external data locations (exactly one is allowed)`);
    }
    const reason = checkExternal(locations[0]);
    if (reason) throw new ModelRejectedError(Code.ExternalDataOutsideArtifact, `${reason} (tensor "${t.name ?? where}")`);
    externalFiles.add(locations[0]);
  };

  const checkSparse = (s: onnx.ISparseTensorProto, where: string): void => {
    if (s.values) checkTensor(s.values, where);
    if (s.indices) checkTensor(s.indices, where);
  };

  const checkValueInfo = (v: onnx.IValueInfoProto): void => {
    const shape = v.type?.tensorType?.shape?.dim;
    if (!shape) return;
    const dims = shape.map((d) => (d.dimValue !== null && d.dimValue !== undefined ? num(d.dimValue) : 1));
    checkElements(dims, ELEM_BYTES[v.type?.tensorType?.elemType ?? 1] ?? 8, `value "${v.name}"`, limits);
  };

  const walk = (g: onnx.IGraphProto): void => {
    for (const t of g.initializer ?? []) {
      checkTensor(t, 'initializer');
      if (t.name) constants.set(t.name, t);
    }
    for (const sparse of g.sparseInitializer ?? []) checkSparse(sparse, 'sparse initializer');
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) checkValueInfo(v);
    for (const n of g.node ?? []) {
      nodeCount += 1;
      const domain = n.domain ?? '';
      if (!ALLOWED_DOMAINS.has(domain)) throw new ModelRejectedError(Code.CustomOperatorDomain, `node "${n.name || n.opType}" uses operator domain "${domain}" (only the default ONNX domains)`);
      for (const a of n.attribute ?? []) {
        // Every attribute kind that can hold a tensor or a graph: dense, sparse, one or many.
        if (a.t) checkTensor(a.t, `attribute ${a.name}`);
        for (const t of a.tensors ?? []) checkTensor(t, `attribute ${a.name}`);
        if (a.sparseTensor) checkSparse(a.sparseTensor, `attribute ${a.name}`);
        for (const sparse of a.sparseTensors ?? []) checkSparse(sparse, `attribute ${a.name}`);
        if (a.g) walk(a.g);
        for (const sub of a.graphs ?? []) walk(sub);
      }
      if (n.opType === 'Constant') {
        const value = (n.attribute ?? []).find((a) => a.name === 'value')?.t;
        if (value && n.output?.[0]) constants.set(n.output[0], value);
      }
    }
    // A constant shape fed to an allocating op must not exceed the cap either.
    for (const n of g.node ?? []) {
      const idx = SHAPE_INPUTS[n.opType ?? ''];
      const shapeName = idx === undefined ? undefined : n.input?.[idx];
      const shape = shapeName ? constants.get(shapeName) : undefined;
      if (!shape) continue;
      const values = int64Values(shape).filter((v) => v > 0);
      checkElements(values, 4, `shape input of ${n.opType} "${n.name ?? ''}"`, limits);
    }
  };
  walk(graph);
  // Training info carries graphs of its own (with initializers) that a runtime may load too.
  for (const info of model.trainingInfo ?? []) {
    if (info.initialization) walk(info.initialization);
    if (info.algorithm) walk(info.algorithm);
  }

  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name));
  checkContract(inputs, graph.output ?? [], contract);

  return {
    opset,
    inputs: inputs.map((v) => v.name ?? ''),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
    nodeCount,
    externalFiles: [...externalFiles],
  };
}

function checkElements(dims: number[], elemBytes: number, what: string, limits: ModelCheckLimits): void {
  let elements = 1;
  for (const d of dims) {
    if (!Number.isFinite(d) || d < 0) throw new ModelRejectedError(Code.DimensionTooLarge, `${what} has an invalid dimension ${d}`);
    elements *= d;
  }
  if (elements * elemBytes > limits.maxTensorBytes) {
    throw new ModelRejectedError(Code.DimensionTooLarge, `${what} would need ${elements * elemBytes} bytes (shape [${dims.join(', ')}]); the limit is ${limits.maxTensorBytes}`, {
      dims,
      limit: limits.maxTensorBytes,
    });
  }
}

function int64Values(t: onnx.ITensorProto): number[] {
  if (t.dataType !== onnx.TensorProto.DataType.INT64) return [];
  if (t.rawData && t.rawData.length > 0) {
    const raw = Buffer.from(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const out: number[] = [];
    for (let o = 0; o + 8 <= raw.length && out.length < 64; o += 8) out.push(Number(raw.readBigInt64LE(o)));
    return out;
  }
  return (t.int64Data ?? []).slice(0, 64).map(num);
}

function checkContract(inputs: onnx.IValueInfoProto[], outputs: onnx.IValueInfoProto[], contract: ModelContract): void {
  const expected = contract.inputs.map(describe).join(', ');
  for (const input of inputs) {
    const spec = contract.inputs.find((c) => c.name === input.name);
    if (!spec) throw new ModelRejectedError(Code.IoContractMismatch, `unexpected model input "${input.name}"; this task type takes ${expected}`);
    matchTensor(input, spec, 'input');
  }
  for (const spec of contract.inputs) {
    if (!spec.optional && !inputs.some((v) => v.name === spec.name)) {
      throw new ModelRejectedError(Code.IoContractMismatch, `the model has no input "${spec.name}"; this task type takes ${expected}`);
    }
  }
  for (const spec of contract.outputs) {
    const output = outputs.find((v) => v.name === spec.name);
    if (!output) throw new ModelRejectedError(Code.IoContractMismatch, `the model has no output "${spec.name}" (${describe(spec)})`);
    matchTensor(output, spec, 'output');
  }
}

function matchTensor(v: onnx.IValueInfoProto, spec: TensorContract, kind: string): void {
  const tensor = v.type?.tensorType;
  if (!tensor) throw new ModelRejectedError(Code.IoContractMismatch, `${kind} "${v.name}" must be a tensor (${describe(spec)})`);
  if (tensor.elemType !== spec.elemType) {
    throw new ModelRejectedError(Code.IoContractMismatch, `${kind} "${v.name}" is ${typeName(tensor.elemType ?? 0)}; expected ${describe(spec)}`);
  }
  const dims = tensor.shape?.dim;
  if (!dims) return; // Unknown rank: onnxruntime's output check at run time catches a mismatch.
  if (dims.length !== spec.rank) throw new ModelRejectedError(Code.IoContractMismatch, `${kind} "${v.name}" has rank ${dims.length}; expected ${describe(spec)}`);
  spec.dims.forEach((want, axis) => {
    const got = dims[axis].dimValue;
    if (want !== null && got !== null && got !== undefined && num(got) !== want) {
      throw new ModelRejectedError(Code.IoContractMismatch, `${kind} "${v.name}" axis ${axis} is ${num(got)}; expected ${want}`);
    }
  });
}

function describe(spec: TensorContract): string {
  return `${spec.name} ${typeName(spec.elemType)} [${spec.dims.map((d) => d ?? '?').join(', ')}]${spec.optional ? ' (optional)' : ''}`;
}
