import type { EnvReader } from '../env-reader';

export type ExecutionProviderChoice = 'auto' | 'cpu' | 'cuda';

/** Variables passed on to the inference worker; nothing else of the environment (no secrets) reaches it. */
export const WORKER_ENV_VARIABLES = ['PATH', 'LD_LIBRARY_PATH', 'CUDA_VISIBLE_DEVICES'] as const;

export interface EvaluationConfig {
  executionProvider: ExecutionProviderChoice;
  maxModelMb: number;
  timeoutSeconds: number;
  memoryMb: number;
  /** onnxruntime intra-op threads per evaluation; 0 = one per available core. */
  threads: number;
  /** The only environment the inference worker gets: the set ones of WORKER_ENV_VARIABLES. */
  workerEnv: Record<string, string>;
  /** The organiser's private datasets (one folder with a manifest.json each), outside the repository. */
  datasetsDir?: string;
}

export function readEvaluationConfig(r: EnvReader): EvaluationConfig {
  const workerEnv: Record<string, string> = {};
  for (const name of WORKER_ENV_VARIABLES) {
    const value = r.env[name];
    if (value !== undefined) workerEnv[name] = value;
  }
  return {
    executionProvider: r.oneOf<ExecutionProviderChoice>('CRUCIBLE_EXECUTION_PROVIDER', ['auto', 'cpu', 'cuda'], 'auto'),
    maxModelMb: r.int('CRUCIBLE_EVAL_MAX_MODEL_MB', 512, 1, 64 * 1024),
    timeoutSeconds: r.int('CRUCIBLE_EVAL_TIMEOUT_SECONDS', 600, 1, 86400),
    memoryMb: r.int('CRUCIBLE_EVAL_MEMORY_MB', 4096, 128, 1024 * 1024),
    threads: r.int('CRUCIBLE_EVAL_THREADS', 0, 0, 256),
    workerEnv,
    datasetsDir: r.path('CRUCIBLE_DATASETS_DIR'),
  };
}
