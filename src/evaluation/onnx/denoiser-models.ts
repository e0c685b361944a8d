import { buildModel, DataType, encodeModel, floatTensor, node, valueInfo } from './onnx-builder';

/**
 * A denoiser for the `image` task type that predicts noise = scale * noisy (ignoring the timestep).
 * scale 0 is the zero-noise predictor: its loss is the mean squared noise (builtin:uniform for images).
 */
export function scaledInputDenoiser(scale: number, size: number, channels = 1): Uint8Array {
  return encodeModel(
    buildModel({
      name: 'scaled_input_denoiser',
      nodes: [node('Mul', ['noisy', 'scale'], ['noise'])],
      inputs: [valueInfo('noisy', DataType.FLOAT, ['batch', channels, size, size]), valueInfo('timestep', DataType.INT64, ['batch'])],
      outputs: [valueInfo('noise', DataType.FLOAT, ['batch', channels, size, size])],
      initializers: [floatTensor('scale', [], [scale])],
    }),
  );
}
