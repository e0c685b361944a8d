import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecutionProviderChoice } from '../config/app-config';

export interface ProviderDecision {
  provider: 'cpu' | 'cuda';
  /** One line for the log: which provider and why. */
  reason: string;
  /** True when CUDA was asked for explicitly and is not available. */
  degraded: boolean;
}

export interface ProviderProbe {
  /** Directory of onnxruntime-node's native binding (where the CUDA provider libraries must sit). */
  bindingDir: string | null;
  hasFile(file: string): boolean;
  gpuPresent(): boolean;
}

const CUDA_LIBS = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

export function systemProbe(): ProviderProbe {
  let bindingDir: string | null = null;
  try {
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    bindingDir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    bindingDir = null;
  }
  return {
    bindingDir,
    hasFile: (file) => fs.existsSync(file),
    gpuPresent: () => fs.existsSync('/dev/nvidia0') || fs.existsSync('/proc/driver/nvidia/version'),
  };
}

/** cuda when asked for (or auto) and both a GPU and the CUDA provider libraries are present; else cpu. */
export function chooseExecutionProvider(choice: ExecutionProviderChoice, probe: ProviderProbe = systemProbe()): ProviderDecision {
  if (choice === 'cpu') return { provider: 'cpu', reason: 'execution provider cpu (CRUCIBLE_EXECUTION_PROVIDER=cpu)', degraded: false };
  const missing: string[] = [];
  if (!probe.gpuPresent()) missing.push('no NVIDIA GPU device');
  const dir = probe.bindingDir;
  const absent = dir === null ? CUDA_LIBS : CUDA_LIBS.filter((lib) => !probe.hasFile(path.join(dir, lib)));
  if (absent.length > 0) missing.push(`CUDA provider libraries missing in ${dir ?? 'onnxruntime-node'} (${absent.join(', ')})`);
  if (missing.length === 0) return { provider: 'cuda', reason: `execution provider cuda (CRUCIBLE_EXECUTION_PROVIDER=${choice}; GPU and provider libraries found)`, degraded: false };
  return {
    provider: 'cpu',
    reason: `execution provider cpu (CRUCIBLE_EXECUTION_PROVIDER=${choice} but ${missing.join('; ')})`,
    degraded: choice === 'cuda',
  };
}
