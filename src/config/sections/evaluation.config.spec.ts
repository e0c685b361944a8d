import * as path from 'node:path';
import { describeVariables, readSection } from '../../../test/support/config-cases';
import { readEvaluationConfig, type EvaluationConfig } from './evaluation.config';

describe('evaluation config', () => {
  describeVariables<EvaluationConfig>(readEvaluationConfig, [
    {
      name: 'CRUCIBLE_EXECUTION_PROVIDER',
      get: (c) => c.executionProvider,
      unset: 'auto',
      valid: [['cpu', 'cpu'], ['cuda', 'cuda']],
      invalid: [['gpu', 'CRUCIBLE_EXECUTION_PROVIDER must be one of auto, cpu, cuda (got "gpu")']],
    },
    {
      name: 'CRUCIBLE_EVAL_MAX_MODEL_MB',
      get: (c) => c.maxModelMb,
      unset: 512,
      valid: [['1', 1], ['65536', 65536]],
      invalid: [['65537', 'CRUCIBLE_EVAL_MAX_MODEL_MB must be an integer between 1 and 65536 (got "65537")']],
    },
    {
      name: 'CRUCIBLE_EVAL_TIMEOUT_SECONDS',
      get: (c) => c.timeoutSeconds,
      unset: 600,
      valid: [['1', 1], ['86400', 86400]],
      invalid: [['0', 'CRUCIBLE_EVAL_TIMEOUT_SECONDS must be an integer between 1 and 86400 (got "0")']],
    },
    {
      name: 'CRUCIBLE_EVAL_MEMORY_MB',
      get: (c) => c.memoryMb,
      unset: 4096,
      valid: [['128', 128], ['1048576', 1048576]],
      invalid: [['127', 'CRUCIBLE_EVAL_MEMORY_MB must be an integer between 128 and 1048576 (got "127")']],
    },
    {
      name: 'CRUCIBLE_EVAL_THREADS',
      get: (c) => c.threads,
      unset: 0,
      valid: [['0', 0], ['256', 256]],
      invalid: [['-1', 'CRUCIBLE_EVAL_THREADS must be an integer between 0 and 256 (got "-1")']],
    },
    {
      name: 'CRUCIBLE_DATASETS_DIR',
      get: (c) => c.datasetsDir,
      unset: undefined,
      valid: [['/srv/datasets', '/srv/datasets'], ['private', path.join(process.cwd(), 'private')]],
    },
  ]);

  it('the inference worker gets PATH, LD_LIBRARY_PATH and CUDA_VISIBLE_DEVICES, nothing else', () => {
    expect(readSection(readEvaluationConfig, {}).config.workerEnv).toEqual({});
    const env = {
      PATH: '/usr/bin',
      LD_LIBRARY_PATH: '/opt/cuda/lib64',
      CUDA_VISIBLE_DEVICES: '0',
      HOME: '/root',
      DATABASE_URL: 'postgres://u:pw@db/c',
      CRUCIBLE_GIT_TOKEN: 'secret',
    };
    expect(readSection(readEvaluationConfig, env).config.workerEnv).toEqual({ PATH: '/usr/bin', LD_LIBRARY_PATH: '/opt/cuda/lib64', CUDA_VISIBLE_DEVICES: '0' });
  });
});
