import { describeVariables } from '../../../test/support/config-cases';
import { readWorkerConfig, type WorkerConfig } from './worker.config';

describe('worker config', () => {
  describeVariables<WorkerConfig>((r) => readWorkerConfig(r, 4242), [
    { name: 'CRUCIBLE_WORKER_ID', get: (c) => c.workerId, unset: 'worker-4242', valid: [['worker-a', 'worker-a']] },
    {
      name: 'CRUCIBLE_TICK_MS',
      get: (c) => c.schedulerTickMs,
      unset: 2000,
      valid: [['50', 50], ['3600000', 3_600_000]],
      invalid: [
        ['49', 'CRUCIBLE_TICK_MS must be an integer between 50 and 3600000 (got "49")'],
        ['2s', 'CRUCIBLE_TICK_MS must be an integer between 50 and 3600000 (got "2s")'],
      ],
    },
    {
      name: 'CRUCIBLE_TEST_PAUSE_AT',
      get: (c) => c.testPauseAt,
      unset: null,
      valid: [['claimed', 'claimed'], ['training', 'training'], ['bundle-sealed', 'bundle-sealed']],
      invalid: [
        [
          'train',
          'CRUCIBLE_TEST_PAUSE_AT must be one of claimed, container-created, training, container-exited, container-removed, evaluating, evaluated, round-decided, round-planned, weights-made, bundle-sealed (got "train")',
        ],
      ],
    },
  ]);
});
