import { EvaluationErrorCode as Code, ModelRejectedError } from './evaluation.errors';
import { checkModelBytes, OPSET_RANGE, warmModelChecks } from './model-checks';
import { tableLanguageModel } from './onnx/onnx-builder';
import { causalLmEvaluator } from './task-types/causal-lm.evaluator';
import { chooseExecutionProvider } from './execution-provider';

const limits = { maxModelBytes: 1 << 22, maxTensorBytes: 1 << 26, minOpset: OPSET_RANGE.min, maxOpset: OPSET_RANGE.max };
const contract = causalLmEvaluator.contract({ kind: 'tokens', seqLen: 4, count: 0, indices: new Uint32Array(), tokens: new Uint8Array() });
const noExternal = (): string | null => 'no external data here';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof ModelRejectedError) return error.code;
    throw error;
  }
  return undefined;
}

describe('model checks', () => {
  it('accepts a well-formed causal-lm model', () => {
    const info = checkModelBytes(tableLanguageModel(new Float32Array(256 * 256), 256), contract, limits, noExternal);
    expect(info).toMatchObject({ inputs: ['input_ids'], outputs: ['logits'], opset: 17 });
  });

  it('refuses a static vocabulary other than 256 and oversized bytes', () => {
    expect(codeOf(() => checkModelBytes(tableLanguageModel(new Float32Array(128 * 128), 128), contract, limits, noExternal))).toBe(Code.IoContractMismatch);
    expect(codeOf(() => checkModelBytes(new Uint8Array(100), contract, { ...limits, maxModelBytes: 10 }, noExternal))).toBe(Code.ModelTooLarge);
  });

  it('passes its own warm-up model (a worker that could not warm up would never start)', () => {
    expect(() => warmModelChecks()).not.toThrow();
  });
});

describe('execution provider choice', () => {
  const probe = (gpu: boolean, libs: boolean) => ({ bindingDir: '/x', hasFile: () => libs, gpuPresent: () => gpu });
  it('uses cuda only with a GPU and the provider libraries', () => {
    expect(chooseExecutionProvider('auto', probe(true, true)).provider).toBe('cuda');
    expect(chooseExecutionProvider('auto', probe(false, true))).toMatchObject({ provider: 'cpu', degraded: false });
    expect(chooseExecutionProvider('cuda', probe(true, false))).toMatchObject({ provider: 'cpu', degraded: true });
    expect(chooseExecutionProvider('cpu', probe(true, true)).provider).toBe('cpu');
    expect(chooseExecutionProvider('cuda', probe(true, false)).reason).toMatch(/libonnxruntime_providers_cuda/);
  });
});
