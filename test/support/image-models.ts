import { buildModel, DataType, encodeModel, floatTensor, int64Tensor, intAttr, node, valueInfo } from '../../src/evaluation/onnx/onnx-builder';

/** Hand-built denoisers for the `image` task type: ones with known losses, and hostile ones. */

const denoiserInputs = (size: number) => [valueInfo('noisy', DataType.FLOAT, ['batch', 1, size, size]), valueInfo('timestep', DataType.INT64, ['batch'])];
const noiseOutput = (size: number) => [valueInfo('noise', DataType.FLOAT, ['batch', 1, size, size])];

/** noise = noisy * scale + label * labelWeight (uses the optional `label` input). */
export function labelledDenoiser(size: number, scale: number, labelWeight: number): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [
        node('Mul', ['noisy', 'scale'], ['scaled']),
        node('Cast', ['label'], ['labelF'], [intAttr('to', DataType.FLOAT)]),
        node('Mul', ['labelF', 'labelWeight'], ['shift']),
        node('Reshape', ['shift', 'shape'], ['shift4']),
        node('Add', ['scaled', 'shift4'], ['noise']),
      ],
      inputs: [...denoiserInputs(size), valueInfo('label', DataType.INT64, ['batch'])],
      outputs: noiseOutput(size),
      initializers: [floatTensor('scale', [], [scale]), floatTensor('labelWeight', [], [labelWeight]), int64Tensor('shape', [4], [-1, 1, 1, 1])],
    }),
  );
}

/** Declares [batch, 1, h, w] but returns only the top-left 8 x 8 pixels. */
export function croppedDenoiser(size: number): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Slice', ['noisy', 'starts', 'ends', 'axes'], ['noise'])],
      inputs: denoiserInputs(size),
      outputs: [valueInfo('noise', DataType.FLOAT, ['batch', 1, 'h', 'w'])],
      initializers: [int64Tensor('starts', [2], [0, 0]), int64Tensor('ends', [2], [8, 8]), int64Tensor('axes', [2], [2, 3])],
    }),
  );
}

/** noise = log(noisy * 0 - 1): NaN everywhere. */
export function nanDenoiser(size: number): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Mul', ['noisy', 'zero'], ['z']), node('Sub', ['z', 'one'], ['neg']), node('Log', ['neg'], ['noise'])],
      inputs: denoiserInputs(size),
      outputs: noiseOutput(size),
      initializers: [floatTensor('zero', [], [0]), floatTensor('one', [], [1])],
    }),
  );
}

/** Takes `image` instead of `noisy`. */
export function wrongInputDenoiser(size: number): Uint8Array {
  return encodeModel(
    buildModel({
      nodes: [node('Identity', ['image'], ['noise'])],
      inputs: [valueInfo('image', DataType.FLOAT, ['batch', 1, size, size]), valueInfo('timestep', DataType.INT64, ['batch'])],
      outputs: noiseOutput(size),
    }),
  );
}
